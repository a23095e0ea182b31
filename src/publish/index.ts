export { publish, type PublishOptions, type PublishResult } from './publish.ts';
export { fileIndexStore, githubIndexStore, mergeIndex, parseIndex, updateIndex, type IndexStore } from './index-store.ts';
export { publishRelease, releaseTag } from './releases.ts';

// WWW-Authenticate (RFC 7235) as registries send it: `Bearer realm="…",service="…",scope="…"` or
// `Basic realm="…"`, possibly several challenges in one header.

export interface Challenge {
  /** Lower-case scheme: `bearer`, `basic`. */
  scheme: string;
  params: Record<string, string>;
}

export function parseChallenges(header: string | string[] | undefined): Challenge[] {
  if (header === undefined) return [];
  const values = Array.isArray(header) ? header : [header];
  return values.flatMap(parseOne);
}

function parseOne(text: string): Challenge[] {
  const challenges: Challenge[] = [];
  let i = 0;
  const skipSpace = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t')) i++;
  };
  const token = () => {
    const start = i;
    while (i < text.length && /[!#$%&'*+\-.^_`|~0-9A-Za-z]/.test(text[i]!)) i++;
    return text.slice(start, i);
  };
  let current: Challenge | undefined;
  while (i < text.length) {
    skipSpace();
    if (text[i] === ',') {
      i++;
      continue;
    }
    const word = token();
    if (word === '') {
      i++; // not a token character: skip it rather than loop forever
      continue;
    }
    skipSpace();
    if (text[i] === '=' && current !== undefined) {
      i++;
      skipSpace();
      let value: string;
      if (text[i] === '"') {
        i++;
        value = '';
        while (i < text.length && text[i] !== '"') {
          if (text[i] === '\\' && i + 1 < text.length) i++;
          value += text[i];
          i++;
        }
        i++;
      } else {
        const start = i;
        while (i < text.length && text[i] !== ',') i++;
        value = text.slice(start, i).trim();
      }
      current.params[word.toLowerCase()] = value;
    } else {
      current = { scheme: word.toLowerCase(), params: {} };
      challenges.push(current);
      // token68 form (`Negotiate abc==`): keep it whole, unused here.
      if (text[i] !== undefined && text[i] !== ',' && !/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+\s*=/.test(text.slice(i))) {
        const start = i;
        while (i < text.length && text[i] !== ',') i++;
        current.params[''] = text.slice(start, i).trim();
      }
    }
  }
  return challenges;
}

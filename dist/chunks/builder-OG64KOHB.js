import { createRequire as __trunkfarmRequire } from 'node:module';
const require = __trunkfarmRequire(import.meta.url);
import {
  StepError,
  buildJob,
  chooseImage,
  closureStep,
  compileStep,
  createJobContext,
  dependenciesStep,
  detectEngine,
  exec,
  imageInventory,
  imagesStep,
  installcheckStep,
  isaStep,
  lineReporter,
  packageStep,
  pull,
  readResult,
  removeContainer,
  smokeStep,
  sourceStep,
  stageStep,
  startContainer,
  startInstallcheckServer,
  startTester,
  streamReporter,
  terminalReporter,
  withMajorHint
} from "./chunk-KPH6HJDX.js";
import "./chunk-QDKAMVMW.js";
import "./chunk-4TVER6QU.js";
import "./chunk-JZTTVZPV.js";
import "./chunk-CDJG6GNL.js";
import "./chunk-UNCOO3MO.js";
import "./chunk-3E4IOH2B.js";
import "./chunk-AOOP3KWP.js";
import "./chunk-UIOSOCKZ.js";
import "./chunk-VABCLRSN.js";
import "./chunk-BS25TXF5.js";
import "./chunk-MAW6PNMB.js";
import "./chunk-MNVUPTDJ.js";
import "./chunk-APBUJ7GA.js";
import "./chunk-YUDCMAJG.js";
import "./chunk-WQPCGQ3Y.js";
export {
  StepError,
  buildJob,
  chooseImage,
  closureStep,
  compileStep,
  createJobContext,
  dependenciesStep,
  detectEngine,
  exec,
  imageInventory,
  imagesStep,
  installcheckStep,
  isaStep,
  lineReporter,
  packageStep,
  pull,
  readResult,
  removeContainer,
  smokeStep,
  sourceStep,
  stageStep,
  startContainer,
  startInstallcheckServer,
  startTester,
  streamReporter,
  terminalReporter,
  withMajorHint
};

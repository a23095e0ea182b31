import { createRequire as __trunkfarmRequire } from 'node:module';
const require = __trunkfarmRequire(import.meta.url);
import {
  attachToLayout,
  attachedBundles,
  signImage,
  signImages,
  verifyImage
} from "./chunk-RGKCVBME.js";
import "./chunk-DM52VJJH.js";
import "./chunk-YANJMYRF.js";
import "./chunk-FPGNSVBA.js";
import "./chunk-JZTTVZPV.js";
import "./chunk-3E4IOH2B.js";
import "./chunk-BS25TXF5.js";
import "./chunk-MAW6PNMB.js";
import "./chunk-MNVUPTDJ.js";
import "./chunk-APBUJ7GA.js";
import "./chunk-YUDCMAJG.js";
import "./chunk-WQPCGQ3Y.js";
export {
  attachToLayout,
  attachedBundles,
  signImage,
  signImages,
  verifyImage
};

import { createRequire as __trunkfarmRequire } from 'node:module';
const require = __trunkfarmRequire(import.meta.url);
import {
  attachToLayout,
  attachedBundles,
  signImage,
  signImages,
  verifyImage
} from "./chunk-4U6WEDH6.js";
import "./chunk-BMFCF7MP.js";
import "./chunk-XO6UH2PY.js";
import "./chunk-LOYMGCMW.js";
import "./chunk-6AAOZECY.js";
import "./chunk-YANJMYRF.js";
import "./chunk-ABDRTHJG.js";
import "./chunk-R5N6SZHY.js";
import "./chunk-JS4HFMOL.js";
import "./chunk-XY2GKEIH.js";
import "./chunk-V2K6CCND.js";
import "./chunk-BS25TXF5.js";
import "./chunk-YUDCMAJG.js";
import "./chunk-WQPCGQ3Y.js";
export {
  attachToLayout,
  attachedBundles,
  signImage,
  signImages,
  verifyImage
};

import { createRequire as __trunkfarmRequire } from 'node:module';
const require = __trunkfarmRequire(import.meta.url);
import {
  SIGSTORE_BUNDLE_TYPE,
  attachToLayout,
  attachedBundles,
  isImageSpec,
  signImage,
  signImages,
  verifyImage
} from "./chunk-PUAEXVDN.js";
import "./chunk-55T2246B.js";
import "./chunk-XO6UH2PY.js";
import "./chunk-4QFEC3XE.js";
import "./chunk-6AAOZECY.js";
import "./chunk-YANJMYRF.js";
import "./chunk-ABDRTHJG.js";
import "./chunk-R5N6SZHY.js";
import "./chunk-NK6KJF6N.js";
import "./chunk-XY2GKEIH.js";
import "./chunk-E3AMED6D.js";
import "./chunk-BS25TXF5.js";
import "./chunk-YUDCMAJG.js";
import "./chunk-WQPCGQ3Y.js";
export {
  SIGSTORE_BUNDLE_TYPE,
  attachToLayout,
  attachedBundles,
  isImageSpec,
  signImage,
  signImages,
  verifyImage
};

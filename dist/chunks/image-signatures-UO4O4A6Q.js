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
} from "./chunk-WPVLR5QX.js";
import "./chunk-3HAN42HJ.js";
import "./chunk-2EWOSPEP.js";
import "./chunk-I4N5F56U.js";
import "./chunk-7JXDGPQC.js";
import "./chunk-E3AMED6D.js";
import "./chunk-RIT732JZ.js";
import "./chunk-3G24UW4F.js";
import "./chunk-WH7TZNN5.js";
import "./chunk-XY2GKEIH.js";
import "./chunk-25ZSYNZ4.js";
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

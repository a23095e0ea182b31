import { createRequire as __trunkfarmRequire } from 'node:module';
const require = __trunkfarmRequire(import.meta.url);
import {
  run,
  trunkContents,
  verifyOptions
} from "./chunk-RKVHMM5E.js";
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
  run,
  trunkContents,
  verifyOptions
};

import { createRequire as __trunkfarmRequire } from 'node:module';
const require = __trunkfarmRequire(import.meta.url);
import {
  annotate,
  group,
  inActions,
  setOutputs,
  summaryTable
} from "./chunk-KEETYDSH.js";
import "./chunk-WH7TZNN5.js";
import "./chunk-WQPCGQ3Y.js";
export {
  annotate,
  group,
  inActions,
  setOutputs,
  summaryTable
};

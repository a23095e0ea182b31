import { createRequire as __trunkfarmRequire } from 'node:module';
const require = __trunkfarmRequire(import.meta.url);
import {
  EMULATED_CPU,
  INVENTORY_FORMAT,
  INVENTORY_VERSION,
  KNOWN_DATA,
  bundleTree,
  captureImageInventory,
  captureInventory,
  checkBuildLog,
  checkObjects,
  checkTree,
  describeFindings,
  formatReport,
  highestGlibc,
  inventoryFromDir,
  inventoryFromLayers,
  inventoryFromTar,
  loadInventory,
  mergeFindings,
  parseInventory,
  problemLine,
  readMakefiles,
  resolvePath,
  rootfsSource,
  saveInventory
} from "./chunk-CDJG6GNL.js";
import {
  ElfError,
  isElf,
  isElfError,
  isElfFile,
  parseElfBuffer,
  readElf,
  readElfIfElf
} from "./chunk-UNCOO3MO.js";
import "./chunk-UIOSOCKZ.js";
import "./chunk-BS25TXF5.js";
import "./chunk-MNVUPTDJ.js";
import "./chunk-APBUJ7GA.js";
import "./chunk-YUDCMAJG.js";
import "./chunk-WQPCGQ3Y.js";
export {
  EMULATED_CPU,
  ElfError,
  INVENTORY_FORMAT,
  INVENTORY_VERSION,
  KNOWN_DATA,
  bundleTree,
  captureImageInventory,
  captureInventory,
  checkBuildLog,
  checkObjects,
  checkTree,
  describeFindings,
  formatReport,
  highestGlibc,
  inventoryFromDir,
  inventoryFromLayers,
  inventoryFromTar,
  isElf,
  isElfError,
  isElfFile,
  loadInventory,
  mergeFindings,
  parseElfBuffer,
  parseInventory,
  problemLine,
  readElf,
  readElfIfElf,
  readMakefiles,
  resolvePath,
  rootfsSource,
  saveInventory
};

import { createRequire as __trunkfarmRequire } from 'node:module';
const require = __trunkfarmRequire(import.meta.url);
import {
  INVENTORY_FORMAT,
  INVENTORY_VERSION,
  KNOWN_DATA,
  bundleTree,
  captureImageInventory,
  captureInventory,
  checkTree,
  formatReport,
  highestGlibc,
  inventoryFromDir,
  inventoryFromLayers,
  inventoryFromTar,
  loadInventory,
  parseInventory,
  reportToGitHub,
  resolvePath,
  rootfsSource,
  saveInventory
} from "./chunk-AJ56BMCY.js";
import {
  ElfError,
  isElf,
  isElfError,
  isElfFile,
  parseElfBuffer,
  readElf,
  readElfIfElf
} from "./chunk-R5N6SZHY.js";
import "./chunk-BS25TXF5.js";
import "./chunk-YUDCMAJG.js";
import "./chunk-WQPCGQ3Y.js";
export {
  ElfError,
  INVENTORY_FORMAT,
  INVENTORY_VERSION,
  KNOWN_DATA,
  bundleTree,
  captureImageInventory,
  captureInventory,
  checkTree,
  formatReport,
  highestGlibc,
  inventoryFromDir,
  inventoryFromLayers,
  inventoryFromTar,
  isElf,
  isElfError,
  isElfFile,
  loadInventory,
  parseElfBuffer,
  parseInventory,
  readElf,
  readElfIfElf,
  reportToGitHub,
  resolvePath,
  rootfsSource,
  saveInventory
};

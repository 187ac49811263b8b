import { contextBridge, ipcRenderer } from 'electron';
import { buildBridge } from './buildBridge';

// The one global the renderer gets (DESIGN.md §1): the contract bridge, never ipcRenderer itself.
contextBridge.exposeInMainWorld('parley', buildBridge(ipcRenderer));

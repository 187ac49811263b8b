import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { applyAppearance } from './lib/appearance';
import { useAppStore } from './store/appStore';
import { followCoreEvents } from './store/followCoreEvents';
import './styles/global.css';

// The core's events feed the store for the window's whole life (not from a component, where
// StrictMode or a remount would subscribe twice); then the store reads where the profile stands.
followCoreEvents(useAppStore);
// The chosen theme and text size before the first paint, so a dark-theme user never sees a light flash.
applyAppearance(document.documentElement, useAppStore.getState().appearance);
void useAppStore.getState().start();

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);

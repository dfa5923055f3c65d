import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { DiallerApp } from './dialler-app.js';
import './tab.css';

const root = document.getElementById('root');
if (!root) throw new Error('The page has no #root element.');
createRoot(root).render(
  <StrictMode>
    <DiallerApp />
  </StrictMode>,
);

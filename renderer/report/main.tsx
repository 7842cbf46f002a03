/**
 * The information special report page (信息专报): `/report/?from=…&to=…[&townId=…][&kind=this_month][&print=1]`.
 * A print layout, A4, black on white, drawn from the console core's statistics (the core's session:
 * whoever is signed in at the console). It marks `document.body.dataset.ready = '1'` once its data
 * and charts are drawn ('error' with `dataset.error` when it cannot be made), which the desktop
 * shell's printToPDF and `npm run report` wait for; with `print=1` (a browser) it prints itself.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { Report } from './Report';
import './report.css';

const root = document.getElementById('root');
if (!root) throw new Error('no #root element');
createRoot(root).render(
  <StrictMode>
    <Report />
  </StrictMode>,
);

/** The state machine icon (file types, tabs, launcher); a LabIcon so it follows the theme size. */
import { LabIcon } from '@jupyterlab/ui-components';

const SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 16 16">
  <rect x="5" y="1" width="6" height="4" rx="1" fill="#e65100"/>
  <rect x="1" y="11" width="6" height="4" rx="1" fill="#1565c0"/>
  <rect x="9" y="11" width="6" height="4" rx="1" fill="#1565c0"/>
  <path d="M8 5v3M4 8h8M4 8v3M12 8v3" stroke="#616161" fill="none"/>
</svg>`;

export const stateMachineIcon = new LabIcon({ name: 'sfn-notebook:state-machine', svgstr: SVG });

// The dashboards' chunk: app.tsx imports it dynamically.
export { TeamDashboard } from './TeamDashboard';
export { WorkspaceDashboard } from './WorkspaceDashboard';

export default function LogsPage() { return <p className="muted">Coming soon.</p>; }

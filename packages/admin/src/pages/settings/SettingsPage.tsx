export default function SettingsPage() { return <p className="muted">Coming soon.</p>; }

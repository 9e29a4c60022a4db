export default function ApiPreviewPage({ collection }: { collection: string }) { return <p className="muted">API preview of {collection}: coming soon.</p>; }

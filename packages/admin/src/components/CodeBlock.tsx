import { useState } from 'react';

/** Preformatted code with a copy button. */
export default function CodeBlock({ code, label }: { code: string; label?: string }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(code);
      setCopied(true);
      setTimeout(() => setCopied(false), 1500);
    } catch {
      // Clipboard access can be denied (insecure origin, permissions); the text stays selectable.
    }
  };
  return (
    <div className="code">
      <pre aria-label={label} tabIndex={0}>
        <code>{code}</code>
      </pre>
      <button type="button" className="btn small copy" onClick={copy}>
        {copied ? 'Copied' : 'Copy'}
      </button>
    </div>
  );
}

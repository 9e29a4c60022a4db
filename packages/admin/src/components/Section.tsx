import { useEffect, useId, useState, type ReactNode } from 'react';

/**
 * A collapsible group of form controls: a <fieldset> whose legend is the toggle button, so the
 * group keeps its accessible name and Tab/Enter/Space work without extra handlers. Collapsed
 * content stays mounted (inputs keep their state) and only hides.
 */
export default function Section({ title, children, defaultOpen = false, forceOpen = false, className }: { title: string; children: ReactNode; defaultOpen?: boolean; /** Opens it (e.g. when it holds a validation error); the user can close it again. */ forceOpen?: boolean; className?: string }) {
  const [open, setOpen] = useState(defaultOpen || forceOpen);
  const id = useId();
  useEffect(() => {
    if (forceOpen) setOpen(true);
  }, [forceOpen]);
  return (
    <fieldset className={`section ${className ?? ''}`}>
      <legend>
        <button type="button" className="section-toggle" aria-expanded={open} aria-controls={id} onClick={() => setOpen(!open)}>
          <span className="chevron" aria-hidden="true">
            {open ? '▾' : '▸'}
          </span>
          {title}
        </button>
      </legend>
      <div id={id} className="stack" hidden={!open}>
        {children}
      </div>
    </fieldset>
  );
}

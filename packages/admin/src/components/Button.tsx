import type { ButtonHTMLAttributes } from 'react';

export interface ButtonProps extends ButtonHTMLAttributes<HTMLButtonElement> {
  variant?: 'default' | 'primary' | 'danger' | 'danger-solid' | 'ghost';
  small?: boolean;
  busy?: boolean;
}

/** A real <button> (type="button" unless told otherwise, so it never submits a form by accident). */
export default function Button({ variant = 'default', small, busy, className, type = 'button', disabled, children, ...rest }: ButtonProps) {
  const classes = ['btn', variant === 'danger-solid' ? 'danger solid' : variant === 'default' ? '' : variant, small ? 'small' : '', className ?? ''].filter(Boolean).join(' ');
  return (
    <button type={type} className={classes} disabled={disabled || busy} aria-busy={busy || undefined} {...rest}>
      {children}
    </button>
  );
}

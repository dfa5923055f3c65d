import type { User } from '../api/types.js';

const TYPE_LABELS = { ddi: 'DDI', extension: 'Extension', trunk: 'Trunk' } as const;

/** The user's number in E.164 (with its extension) and what kind of number it is. */
export function NumberWithType({ user }: { user: Pick<User, 'phoneNumber' | 'extension' | 'numberType'> }) {
  if (!user.phoneNumber) return <span className="muted">No number</span>;
  return (
    <span className="number">
      <span className="mono">
        {user.phoneNumber}
        {user.extension && `;ext=${user.extension}`}
      </span>
      {user.numberType && <span className="badge">{TYPE_LABELS[user.numberType]}</span>}
    </span>
  );
}

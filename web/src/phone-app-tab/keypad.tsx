const KEYS: [string, string][] = [
  ['1', ''],
  ['2', 'ABC'],
  ['3', 'DEF'],
  ['4', 'GHI'],
  ['5', 'JKL'],
  ['6', 'MNO'],
  ['7', 'PQRS'],
  ['8', 'TUV'],
  ['9', 'WXYZ'],
  ['*', ''],
  ['0', '+'],
  ['#', ''],
];

/** The twelve keys of a phone; a long press on 0 (or a right click) gives `+`. */
export function Keypad({ onKey }: { onKey: (key: string) => void }) {
  return (
    <div className="keypad" role="group" aria-label="Keypad">
      {KEYS.map(([digit, letters]) => (
        <button
          key={digit}
          type="button"
          className="key"
          aria-label={digit === '0' ? '0 (hold for +)' : digit}
          onClick={() => onKey(digit)}
          onContextMenu={(event) => {
            if (digit !== '0') return;
            event.preventDefault();
            onKey('+');
          }}
        >
          <span className="digit">{digit}</span>
          <span className="letters">{letters}</span>
        </button>
      ))}
    </div>
  );
}

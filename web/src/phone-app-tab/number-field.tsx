import { AsYouType, getCountryCallingCode, type CountryCode } from 'libphonenumber-js';

/** 3-6 digits not starting with 0: an extension of the PBX, dialled as it is (the server's rule too). */
const EXTENSION = /^[1-9]\d{2,5}$/;

/** The number being dialled, formatted as it is typed for the user's country (libphonenumber-js AsYouType). */
export function NumberField({
  value,
  country,
  onChange,
}: {
  value: string;
  country: string | null;
  onChange: (value: string) => void;
}) {
  const formatter = new AsYouType((country ?? undefined) as CountryCode | undefined);
  const formatted = formatter.input(value);
  const e164 = formatter.getNumber()?.number;
  const code = country ? safeCallingCode(country) : null;
  return (
    <div className="number-field">
      <label htmlFor="dial-number">Number</label>
      <input
        id="dial-number"
        type="tel"
        inputMode="tel"
        autoComplete="off"
        value={formatted}
        placeholder={code ? `e.g. +${code} …` : '+ country code and number'}
        aria-describedby="dial-help"
        onChange={(event) => onChange(event.target.value.replace(/[^\d+*#]/g, ''))}
      />
      <p id="dial-help" className="help">
        {EXTENSION.test(value)
          ? `Calls extension ${value} on your phone system`
          : e164 && value.length > 3
            ? `Calls ${e164}`
            : code
              ? `Dial a national number as in ${country}, or + and the country code for elsewhere (this country is +${code}).`
              : 'Dial + and the country code, then the number.'}
      </p>
    </div>
  );
}

function safeCallingCode(country: string): string | null {
  try {
    return getCountryCallingCode(country as CountryCode);
  } catch {
    return null;
  }
}

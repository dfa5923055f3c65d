import { useCan } from '../access/use-can.js';
import { useState, type FormEvent } from 'react';
import { ApiError } from '../api/client.js';
import { exportUrl, useImportCsv } from '../api/import-queries.js';
import type { ImportAnswer, Service } from '../api/types.js';
import { TextField } from '../components/field.js';
import { ErrorNotice, SavedNotice } from '../components/status.js';
import { ServiceFrame } from '../services/service-tabs.js';
import { CSV_TEMPLATES, templateHref } from './csv-templates.js';
import { ImportHistory } from './import-history.js';
import { ImportReport } from './import-report.js';

/** Service → Import and export: check a CSV (dry run, per-row report), apply it all or nothing, export, template. */
export function ImportPage({ accountId, serviceId }: { accountId: string; serviceId: string }) {
  const can = useCan(accountId);
  return (
    <ServiceFrame accountId={accountId} serviceId={serviceId} tab="import">
      {(service) => (
        <>
          {can('service.write') && <ImportCard accountId={accountId} service={service} />}
          <div className="grid-cards grid-cards-fill">
            <ExportCard accountId={accountId} service={service} />
            <TemplateCard service={service} />
          </div>
          <ImportHistory accountId={accountId} canUndo={can('service.write')} />
        </>
      )}
    </ServiceFrame>
  );
}

interface Checked {
  name: string;
  bytes: ArrayBuffer;
  answer: ImportAnswer;
}

function ImportCard({ accountId, service }: { accountId: string; service: Service }) {
  const check = useImportCsv(accountId, service.id);
  const apply = useImportCsv(accountId, service.id);
  const [file, setFile] = useState<File>();
  const [missing, setMissing] = useState(false);
  const [checked, setChecked] = useState<Checked>();
  const checkError = check.error instanceof ApiError ? check.error : undefined;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    apply.reset();
    setChecked(undefined);
    if (!file) return setMissing(true);
    // The bytes go as they are: the server reads Excel's encodings (UTF-8 with BOM, UTF-16, Windows-1252).
    const bytes = await file.arrayBuffer();
    check.mutate(
      { file: bytes, dryRun: true },
      { onSuccess: (answer) => setChecked({ name: file.name, bytes, answer }) },
    );
  };
  const applyNow = () => {
    if (!checked) return;
    apply.mutate(
      { file: checked.bytes, dryRun: false },
      { onSuccess: (answer) => !answer.applied && setChecked({ ...checked, answer }) },
    );
  };
  const applied = apply.data?.applied ? apply.data.plan : undefined;
  const plan = checked?.answer.plan;
  return (
    <section className="card" aria-labelledby="import-heading">
      <h2 id="import-heading">Import users from CSV</h2>
      <p className="muted">
        Each row updates the user with that email (it must match the Teams user, so sync first). Checking
        changes nothing; Apply imports every row or none.
      </p>
      <form className="import-form" onSubmit={(e) => void submit(e)} noValidate>
        <TextField
          label="CSV file"
          type="file"
          accept=".csv,.txt,text/csv"
          onChange={(e) => {
            setFile(e.target.files?.[0]);
            setMissing(false);
            setChecked(undefined);
            check.reset();
            apply.reset();
          }}
          error={missing ? 'Choose the CSV file to import.' : checkError?.fieldMessage('body')}
          hint={`${service.kind === 'pbx' ? 'PBX' : 'Trunk'} template columns: ${CSV_TEMPLATES[service.kind].join(', ')}.`}
        />
        {checkError && !checkError.fieldMessage('body') && <ErrorNotice error={checkError} />}
        <button type="submit" disabled={check.isPending}>
          {check.isPending ? 'Checking…' : 'Check the file'}
        </button>
      </form>
      {plan && !applied && (
        <section className="import-result" aria-labelledby="report-heading">
          <h3 id="report-heading">Report for {checked.name}</h3>
          <p role="status" className={plan.ok ? 'notice notice-ok' : 'notice notice-error'}>
            {plan.ok
              ? 'The file can be imported. Rows marked Fixed were repaired as shown.'
              : 'Nothing can be imported yet: fix the rows marked Error in the file, then choose it and check it again.'}
          </p>
          <ImportReport plan={plan} />
          <ErrorNotice error={apply.error} title="The import was not applied." />
          {plan.ok && (
            <div className="actions">
              <button type="button" className="button-primary" disabled={apply.isPending} onClick={applyNow}>
                Apply: import {(plan.counts['create'] ?? 0) + (plan.counts['update'] ?? 0)} rows
              </button>
            </div>
          )}
        </section>
      )}
      {applied && (
        <SavedNotice>
          Imported: {applied.counts['create'] ?? 0} created, {applied.counts['update'] ?? 0} updated,{' '}
          {applied.counts['unchanged'] ?? 0} unchanged. Registrations with new credentials start at once; sync
          to write new numbers to Microsoft 365.
        </SavedNotice>
      )}
    </section>
  );
}

function ExportCard({ accountId, service }: { accountId: string; service: Service }) {
  return (
    <section className="card" aria-labelledby="export-heading">
      <h2 id="export-heading">Export</h2>
      <p className="muted">
        The service’s users in the {service.kind === 'pbx' ? 'PBX' : 'trunk'} template, to edit and import
        again. Passwords are never exported; an empty Password cell keeps the stored one.
      </p>
      <a className="button" href={exportUrl(accountId, service.id)} download>
        Download users (CSV)
      </a>
    </section>
  );
}

function TemplateCard({ service }: { service: Service }) {
  const kind = service.kind === 'pbx' ? 'PBX' : 'trunk';
  return (
    <section className="card" aria-labelledby="template-heading">
      <h2 id="template-heading">Template</h2>
      <p className="muted">
        Numbers in E.164 (+441235123401). If Excel drops the +, the import puts it back and says so; a number
        Excel rounded (4.41235E+11) has lost digits: format the column as Text and type it again.
      </p>
      <a
        className="button"
        href={templateHref(service.kind)}
        download={`callbridge-${service.kind}-template.csv`}
      >
        Download the {kind} template
      </a>
    </section>
  );
}

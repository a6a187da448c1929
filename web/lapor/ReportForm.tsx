import { FormEvent, ReactNode, useEffect, useState } from "react";
import { ruleMessage, t } from "../i18n";
import { ApiError } from "../shared/graphql";
import { fromLocalInput, zoneOf } from "../shared/time-zone";
import { CandidatePair, candidatePairsFor, Region, regionsUnder } from "./api";
import { newKey, ReportInput } from "./outbox";
import { forgetPhotos, keepPhoto, Photo } from "./photos";

const CATEGORIES = ["BLACK_CAMPAIGN", "NEGATIVE_CAMPAIGN", "SARA_INSULT", "HOAX", "MONEY_POLITICS", "ASN_NEUTRALITY", "INTIMIDATION", "CAMPAIGN_PROPS", "VOTER_DATA", "OTHER"];
const CHANNELS = ["SOCIAL_MEDIA", "MESSAGING", "ONLINE_MEDIA", "PUBLIC_SPACE"];

interface Props {
  /** The account's first region, to preselect the pickers ("19.06.01"). */
  homeRegion: string;
  /** Field errors of the last attempt, by input field ("title", "occurredAt", ...). */
  errors: Record<string, ApiError>;
  /** Resolves true when the form may be cleared (kept on the phone or stored); the photos go with the report. */
  onSubmit: (input: ReportInput, photoIds: string[]) => Promise<boolean>;
}

/** A labelled field with its error, in the page's language, right under it. */
function Field({ name, label, error, children }: { name: string; label: string; error?: ApiError; children: ReactNode }) {
  return (
    <div className={`field${error ? " invalid" : ""}`} data-field={name}>
      <label htmlFor={name}>{label}</label>
      {children}
      {error && (
        <p className="error" id={`${name}-error`} role="alert">
          {error.extensions?.rule ? ruleMessage(error.extensions.rule) : error.message}
        </p>
      )}
    </div>
  );
}

/**
 * Evidence photos: one button opens the camera (`capture`), the other the gallery. Each photo is kept on the phone
 * (IndexedDB) the moment it is chosen, so it survives a reload and waits with its report when there is no signal.
 */
function Photos({ photos, onChange, error }: { photos: Array<Pick<Photo, "id" | "name" | "size">>; onChange: (photos: Array<Pick<Photo, "id" | "name" | "size">>) => void; error?: ApiError }) {
  async function choose(files: FileList | null) {
    const kept = [];
    for (const file of files ?? []) {
      const photo = await keepPhoto(file, newKey());
      kept.push({ id: photo.id, name: photo.name, size: photo.size });
    }
    onChange([...photos, ...kept]);
  }
  return (
    <fieldset className={`field photos${error ? " invalid" : ""}`} data-field="evidenceIds">
      <legend>{t("form.photos")}</legend>
      <p className="hint">{t("form.photosHelp")}</p>
      <label className="button secondary">
        {t("form.takePhoto")}
        <input type="file" name="camera" accept="image/*" capture="environment" onChange={(event) => void choose(event.target.files).then(() => (event.target.value = ""))} />
      </label>
      <label className="button secondary">
        {t("form.choosePhoto")}
        <input type="file" name="gallery" accept="image/*" multiple onChange={(event) => void choose(event.target.files).then(() => (event.target.value = ""))} />
      </label>
      <ul className="photo-list">
        {photos.map((photo) => (
          <li key={photo.id}>
            <span>
              {photo.name} ({Math.ceil(photo.size / 1024)} KB)
            </span>
            <button type="button" className="secondary" onClick={() => void forgetPhotos([photo.id]).then(() => onChange(photos.filter((other) => other.id !== photo.id)))}>
              {t("form.removePhoto")}
            </button>
          </li>
        ))}
      </ul>
      {error && (
        <p className="error" role="alert">
          {error.extensions?.rule ? ruleMessage(error.extensions.rule) : error.message}
        </p>
      )}
    </fieldset>
  );
}

/** The region picker of one level: its options come from the API's region list. */
function RegionSelect({ name, label, parent, value, onChange, error }: { name: string; label: string; parent: string | null | undefined; value: string; onChange: (code: string) => void; error?: ApiError }) {
  const [regions, setRegions] = useState<Region[]>([]);
  useEffect(() => {
    if (parent === undefined) return setRegions([]);
    let current = true;
    void regionsUnder(parent).then((found) => current && setRegions(found));
    return () => {
      current = false;
    };
  }, [parent]);
  return (
    <Field name={name} label={label} error={error}>
      <select id={name} name={name} value={value} onChange={(event) => onChange(event.target.value)} disabled={parent === undefined}>
        <option value="">{t("form.choose")}</option>
        {regions.map((region) => (
          <option key={region.code} value={region.code}>
            {region.name}
          </option>
        ))}
      </select>
    </Field>
  );
}

export function ReportForm({ homeRegion, errors, onSubmit }: Props) {
  const [category, setCategory] = useState("");
  const [channel, setChannel] = useState("SOCIAL_MEDIA");
  const [platform, setPlatform] = useState("");
  const [url, setUrl] = useState("");
  const [title, setTitle] = useState("");
  const [occurredAt, setOccurredAt] = useState("");
  const [discoveredAt, setDiscoveredAt] = useState("");
  const [photos, setPhotos] = useState<Array<Pick<Photo, "id" | "name" | "size">>>([]);
  const [province, setProvince] = useState(homeRegion.slice(0, 2));
  const [regency, setRegency] = useState(homeRegion.length >= 5 ? homeRegion.slice(0, 5) : "");
  const [district, setDistrict] = useState(homeRegion.length >= 8 ? homeRegion.slice(0, 8) : "");
  const [pairs, setPairs] = useState<Array<CandidatePair & { election: string }>>([]);
  const [candidatePairId, setCandidatePairId] = useState("");
  const [description, setDescription] = useState("");
  const [busy, setBusy] = useState(false);
  const zone = zoneOf(district || regency || province || homeRegion);

  // The first field to fix, in view (on a phone the submit button is far below it).
  useEffect(() => {
    document.querySelector(".field.invalid")?.scrollIntoView({ block: "center" });
  }, [errors]);

  useEffect(() => {
    setCandidatePairId("");
    if (!district) return setPairs([]);
    let current = true;
    void candidatePairsFor(district).then((found) => current && setPairs(found));
    return () => {
      current = false;
    };
  }, [district]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    const input: ReportInput = {
      category,
      channel,
      ...(channel !== "PUBLIC_SPACE" && platform ? { platform } : {}),
      ...(url ? { url } : {}),
      title,
      description,
      occurredAt: occurredAt ? fromLocalInput(occurredAt, zone) : "",
      ...(discoveredAt ? { discoveredAt: fromLocalInput(discoveredAt, zone) } : {}),
      regionCode: district || regency || province,
      ...(candidatePairId ? { candidatePairId } : {}),
    };
    const clear = await onSubmit(
      input,
      photos.map((photo) => photo.id),
    );
    setBusy(false);
    if (!clear) return;
    setCategory("");
    setPlatform("");
    setUrl("");
    setTitle("");
    setOccurredAt("");
    setDiscoveredAt("");
    setPhotos([]);
    setCandidatePairId("");
    setDescription("");
  }

  return (
    <form className="report" onSubmit={(event) => void submit(event)} noValidate>
      <h1>{t("form.title")}</h1>
      <fieldset className={`field categories${errors.category ? " invalid" : ""}`} data-field="category">
        <legend>{t("form.category")}</legend>
        {CATEGORIES.map((value) => (
          <label key={value} className="choice">
            <input type="radio" name="category" value={value} checked={category === value} onChange={() => setCategory(value)} />
            <span>
              <strong>{t(`category.${value}`)}</strong>
              <small>{t(`categoryHelp.${value}`)}</small>
            </span>
          </label>
        ))}
        {errors.category && <p className="error" role="alert">{ruleMessage(errors.category.extensions?.rule ?? "")}</p>}
      </fieldset>
      <Field name="channel" label={t("form.channel")} error={errors.channel}>
        <select id="channel" name="channel" value={channel} onChange={(event) => setChannel(event.target.value)}>
          {CHANNELS.map((value) => (
            <option key={value} value={value}>
              {t(`channel.${value}`)}
            </option>
          ))}
        </select>
      </Field>
      {channel !== "PUBLIC_SPACE" && (
        <Field name="platform" label={t("form.platform")} error={errors.platform}>
          <input id="platform" name="platform" value={platform} onChange={(event) => setPlatform(event.target.value)} />
        </Field>
      )}
      <Field name="url" label={t("form.url")} error={errors.url}>
        <input id="url" name="url" type="url" inputMode="url" value={url} onChange={(event) => setUrl(event.target.value)} />
      </Field>
      <Field name="title" label={t("form.reportTitle")} error={errors.title}>
        <input id="title" name="title" value={title} onChange={(event) => setTitle(event.target.value)} />
      </Field>
      <Field name="occurredAt" label={`${t("form.occurredAt")}, ${t("form.localTime", { zone: zone.name })}`} error={errors.occurredAt}>
        <input id="occurredAt" name="occurredAt" type="datetime-local" value={occurredAt} onChange={(event) => setOccurredAt(event.target.value)} />
      </Field>
      <Field name="discoveredAt" label={`${t("form.discoveredAt")}, ${t("form.localTime", { zone: zone.name })}`} error={errors.discoveredAt}>
        <input id="discoveredAt" name="discoveredAt" type="datetime-local" aria-describedby="discoveredAt-help" value={discoveredAt} onChange={(event) => setDiscoveredAt(event.target.value)} />
        <small id="discoveredAt-help">{t("form.discoveredAtHelp")}</small>
      </Field>
      <RegionSelect name="province" label={t("form.province")} parent={null} value={province} onChange={(code) => (setProvince(code), setRegency(""), setDistrict(""))} />
      <RegionSelect name="regency" label={t("form.regency")} parent={province || undefined} value={regency} onChange={(code) => (setRegency(code), setDistrict(""))} />
      <RegionSelect name="district" label={t("form.district")} parent={regency || undefined} value={district} onChange={setDistrict} error={errors.regionCode} />
      <Field name="candidatePairId" label={t("form.candidatePair")} error={errors.candidatePairId}>
        <select id="candidatePairId" name="candidatePairId" value={candidatePairId} onChange={(event) => setCandidatePairId(event.target.value)}>
          <option value="">{t("form.noCandidatePair")}</option>
          {pairs.map((pair) => (
            <option key={pair.id} value={pair.id}>
              {pair.ballotNumber}. {pair.headCandidate} – {pair.deputyCandidate}
            </option>
          ))}
        </select>
      </Field>
      <Field name="description" label={t("form.description")} error={errors.description}>
        <textarea id="description" name="description" rows={5} value={description} onChange={(event) => setDescription(event.target.value)} />
      </Field>
      <Photos photos={photos} onChange={setPhotos} error={errors.evidenceIds} />
      <button type="submit" disabled={busy}>{t("form.submit")}</button>
    </form>
  );
}

import { t } from "../i18n";
import { href, Route } from "./router";

/** The console's sections; an organization's page belongs to the directory, an event's to the events. */
const SECTIONS: Array<{ route: Route; label: string; owns: Array<Route["page"]> }> = [
  { route: { page: "board" }, label: "nav.board", owns: ["board"] },
  { route: { page: "incidents" }, label: "nav.incidents", owns: ["incidents"] },
  { route: { page: "regions" }, label: "nav.regions", owns: ["regions"] },
  { route: { page: "directory" }, label: "nav.directory", owns: ["directory", "organization"] },
  { route: { page: "events" }, label: "nav.events", owns: ["events", "event"] },
];

export function Nav({ current }: { current: Route }) {
  return (
    <nav className="sections" aria-label={t("nav.label")}>
      <ul>
        {SECTIONS.map((section) => (
          <li key={section.label}>
            <a href={href(section.route)} aria-current={section.owns.includes(current.page) ? "page" : undefined}>
              {t(section.label)}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

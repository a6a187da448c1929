import { useEffect, useState } from "react";
import { t } from "../i18n";
import { graphql } from "../shared/graphql";
import { when } from "./format";
import { href } from "./router";

const ORGANIZATION = `query Organization($id: ID!) { organization(id: $id) {
  id name acronym kind agencyType legalForm registrationNumber address status
  region { code name parent { name } }
  board { name position phone }
  hostedEvents(first: 20) { totalCount edges { node { ...EventLink } } }
  attendedEvents(first: 20) { totalCount edges { node { ...EventLink } } }
  declarationsSigned { id title declaredAt region { code } event { id } }
} }
fragment EventLink on Event { id title startsAt region { code } }`;

interface EventLink {
  id: string;
  title: string;
  startsAt: string;
  region: { code: string };
}

interface Detail {
  id: string;
  name: string;
  acronym: string | null;
  kind: string;
  agencyType: string | null;
  legalForm: string | null;
  registrationNumber: string | null;
  address: string | null;
  status: string;
  region: { code: string; name: string; parent: { name: string } | null };
  board: Array<{ name: string; position: string; phone: string | null }>;
  hostedEvents: { totalCount: number; edges: Array<{ node: EventLink }> };
  attendedEvents: { totalCount: number; edges: Array<{ node: EventLink }> };
  declarationsSigned: Array<{ id: string; title: string; declaredAt: string; region: { code: string }; event: { id: string } | null }>;
}

/** One fact of the record, "not recorded" when the directory has none. */
function Fact({ label, value }: { label: string; value: string | null }) {
  return (
    <>
      <dt>{label}</dt>
      <dd>{value ?? <span className="absent">{t("organization.notRecorded")}</span>}</dd>
    </>
  );
}

/** Events linked to their page, with when they start in their region's time. */
function EventList({ title, events }: { title: string; events: Detail["hostedEvents"] }) {
  return (
    <>
      <h3>
        {title} ({events.totalCount})
      </h3>
      {events.edges.length === 0 ? (
        <p>{t("organization.noEvents")}</p>
      ) : (
        <ul className="links">
          {events.edges.map(({ node }) => (
            <li key={node.id}>
              <a href={href({ page: "event", id: node.id })}>{node.title}</a> · {when(node.startsAt, node.region.code)}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

/**
 * An organization's record in the directory. The hub answers only what this caller may see: the board is empty
 * for callers who may not read it, and its phones are blank for those who may see names only.
 */
export function Organization({ id, accessToken }: { id: string; accessToken: () => Promise<string | null> }) {
  const [detail, setDetail] = useState<Detail | null | undefined>(undefined);
  useEffect(() => {
    let current = true;
    setDetail(undefined);
    void (async () => {
      const { data } = await graphql<{ organization: Detail | null }>(ORGANIZATION, { id }, (await accessToken()) ?? undefined).catch(() => ({ data: null }));
      if (current) setDetail(data?.organization ?? null);
    })();
    return () => {
      current = false;
    };
  }, [id, accessToken]);

  if (detail === undefined) return <p role="status">{t("paging.loading")}</p>;
  if (detail === null) return <p role="alert">{t("organization.notFound")}</p>;
  const kind = t(`organizationKind.${detail.kind}`) + (detail.agencyType ? ` · ${t(`agencyType.${detail.agencyType}`)}` : "");
  const region = detail.region.parent ? `${detail.region.name}, ${detail.region.parent.name}` : detail.region.name;
  const phones = detail.board.some((member) => member.phone !== null);
  return (
    <article className="organization" aria-labelledby="organization-title">
      <p>
        <a href={href({ page: "directory" })}>{t("organization.back")}</a>
      </p>
      <h2 id="organization-title">
        {detail.name}
        {detail.acronym && ` (${detail.acronym})`}
      </h2>
      <dl className="facts">
        <Fact label={t("organization.acronym")} value={detail.acronym} />
        <Fact label={t("directory.kind")} value={kind} />
        <Fact label={t("organization.legalForm")} value={detail.legalForm && t(`legalForm.${detail.legalForm}`)} />
        <Fact label={t("organization.registrationNumber")} value={detail.registrationNumber} />
        <Fact label={t("directory.region")} value={region} />
        <Fact label={t("organization.address")} value={detail.address} />
        <Fact label={t("list.status")} value={t(`organizationStatus.${detail.status}`)} />
      </dl>
      <h3>{t("organization.board")}</h3>
      {detail.board.length === 0 ? (
        <p className="absent">{t("organization.noBoard")}</p>
      ) : (
        <table className="board-members">
          <thead>
            <tr>
              <th scope="col">{t("directory.name")}</th>
              <th scope="col">{t("organization.position")}</th>
              {phones && <th scope="col">{t("organization.phone")}</th>}
            </tr>
          </thead>
          <tbody>
            {detail.board.map((member, index) => (
              <tr key={index}>
                <td>{member.name}</td>
                <td>{member.position}</td>
                {phones && <td>{member.phone ?? "—"}</td>}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <EventList title={t("organization.hostedEvents")} events={detail.hostedEvents} />
      <EventList title={t("organization.attendedEvents")} events={detail.attendedEvents} />
      <h3>{t("organization.declarations")}</h3>
      {detail.declarationsSigned.length === 0 ? (
        <p>{t("organization.noDeclarations")}</p>
      ) : (
        <ul className="links">
          {detail.declarationsSigned.map((declaration) => (
            <li key={declaration.id}>
              {declaration.event ? <a href={href({ page: "event", id: declaration.event.id })}>{declaration.title}</a> : declaration.title} · {when(declaration.declaredAt, declaration.region.code)}
            </li>
          ))}
        </ul>
      )}
    </article>
  );
}

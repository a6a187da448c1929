import { useEffect, useState } from "react";
import { t } from "../i18n";
import { graphql } from "../shared/graphql";
import { day, when } from "./format";
import { href } from "./router";

const EVENT = `query Event($id: ID!) { event(id: $id) {
  id title kind startsAt endsAt venue
  region { code name parent { name } }
  organizer { id name acronym }
  speakers { name topic organization { id name } }
  participants { attendees organization { id name } }
  attendeeCount
  declarations { id title declaredAt pledges signatoryCount signatures { signedBy signedAt organization { id name } } }
  election { id title office campaignStartsOn campaignEndsOn votingDay phase candidatePairs { ballotNumber headCandidate deputyCandidate } }
  incidentReports(first: 20) { totalCount edges { node { id title category status } } }
} }`;

/** The election's phase on the day of the event, asked once the event's start is known. */
const PHASE_AT = `query PhaseAt($id: ID!, $at: String) { election(id: $id) { phase(at: $at) } }`;

interface OrganizationLink {
  id: string;
  name: string;
}

interface Story {
  id: string;
  title: string;
  kind: string;
  startsAt: string;
  endsAt: string | null;
  venue: string | null;
  region: { code: string; name: string; parent: { name: string } | null };
  organizer: OrganizationLink & { acronym: string | null };
  speakers: Array<{ name: string | null; topic: string | null; organization: OrganizationLink }>;
  participants: Array<{ attendees: number; organization: OrganizationLink }>;
  attendeeCount: number;
  declarations: Array<{
    id: string;
    title: string;
    declaredAt: string;
    pledges: string[];
    signatoryCount: number;
    signatures: Array<{ signedBy: string; signedAt: string; organization: OrganizationLink }>;
  }>;
  election: {
    id: string;
    title: string;
    office: string;
    campaignStartsOn: string;
    campaignEndsOn: string;
    votingDay: string;
    phase: string;
    candidatePairs: Array<{ ballotNumber: number; headCandidate: string; deputyCandidate: string }>;
  } | null;
  incidentReports: { totalCount: number; edges: Array<{ node: { id: string; title: string; category: string; status: string } }> };
}

const OrganizationName = ({ organization }: { organization: OrganizationLink }) => <a href={href({ page: "organization", id: organization.id })}>{organization.name}</a>;

/** The election the event belongs to: its calendar, its phase then and now, its candidate pairs. */
function Election({ election, phaseAtEvent }: { election: NonNullable<Story["election"]>; phaseAtEvent: string | null }) {
  return (
    <section className="election" aria-labelledby="election-title">
      <h3 id="election-title">{t("event.election")}</h3>
      <p>
        <strong>{election.title}</strong> · {t(`electionOffice.${election.office}`)}
      </p>
      <p>{t("event.calendar", { start: day(election.campaignStartsOn), end: day(election.campaignEndsOn), voting: day(election.votingDay) })}</p>
      <p data-phase={phaseAtEvent ?? ""}>
        {phaseAtEvent && <>{t("event.phaseAtEvent", { phase: t(`electionPhase.${phaseAtEvent}`) })} · </>}
        {t("event.phaseNow", { phase: t(`electionPhase.${election.phase}`) })}
      </p>
      <ul className="links">
        {election.candidatePairs.map((pair) => (
          <li key={pair.ballotNumber}>{t("event.pair", { number: pair.ballotNumber, head: pair.headCandidate, deputy: pair.deputyCandidate })}</li>
        ))}
      </ul>
    </section>
  );
}

/**
 * One event told whole, as the Manggar socialization's story reads: who organized it, who spoke on what, which
 * organizations came with how many people, the declaration made there and who signed it, and where the election
 * stood. Every part comes from another service of the hub, in one query.
 */
export function EventPage({ id, accessToken }: { id: string; accessToken: () => Promise<string | null> }) {
  const [story, setStory] = useState<Story | null | undefined>(undefined);
  const [phaseAtEvent, setPhaseAtEvent] = useState<string | null>(null);
  useEffect(() => {
    let current = true;
    setStory(undefined);
    setPhaseAtEvent(null);
    void (async () => {
      const token = (await accessToken()) ?? undefined;
      const { data } = await graphql<{ event: Story | null }>(EVENT, { id }, token).catch(() => ({ data: null }));
      if (!current) return;
      const event = data?.event ?? null;
      setStory(event);
      if (!event?.election) return;
      const phase = await graphql<{ election: { phase: string } | null }>(PHASE_AT, { id: event.election.id, at: event.startsAt }, token).catch(() => ({ data: null }));
      if (current) setPhaseAtEvent(phase.data?.election?.phase ?? null);
    })();
    return () => {
      current = false;
    };
  }, [id, accessToken]);

  if (story === undefined) return <p role="status">{t("paging.loading")}</p>;
  if (story === null) return <p role="alert">{t("event.notFound")}</p>;
  const region = story.region.parent ? `${story.region.name}, ${story.region.parent.name}` : story.region.name;
  return (
    <article className="event-story" aria-labelledby="event-title">
      <p>
        <a href={href({ page: "events" })}>{t("event.back")}</a>
      </p>
      <h2 id="event-title">{story.title}</h2>
      <p>
        {t(`eventKind.${story.kind}`)} · {when(story.startsAt, story.region.code)}
        {story.endsAt && ` – ${when(story.endsAt, story.region.code)}`}
      </p>
      <p>
        {t("event.place")}: {story.venue ? `${story.venue} (${region})` : region}
      </p>
      <p data-part="organizer">
        {t("event.organizer")}: <OrganizationName organization={story.organizer} />
      </p>

      <h3>{t("event.speakers")}</h3>
      {story.speakers.length === 0 ? (
        <p>{t("event.noSpeakers")}</p>
      ) : (
        <ul className="links" data-part="speakers">
          {story.speakers.map((speaker, index) => (
            <li key={index}>
              <OrganizationName organization={speaker.organization} />
              {speaker.name && ` · ${speaker.name}`}
              {speaker.topic && `: ${speaker.topic}`}
            </li>
          ))}
        </ul>
      )}

      <h3>{t("event.attendance")}</h3>
      <p data-part="attendees">
        <strong>{t("event.attendeeCount", { count: story.attendeeCount })}</strong>
      </p>
      {story.participants.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">{t("event.organization")}</th>
              <th scope="col">{t("events.attendees")}</th>
            </tr>
          </thead>
          <tbody>
            {story.participants.map((participant) => (
              <tr key={participant.organization.id}>
                <td>
                  <OrganizationName organization={participant.organization} />
                </td>
                <td>{participant.attendees}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      {story.declarations.map((declaration) => (
        <section key={declaration.id} className="declaration" aria-labelledby={`declaration-${declaration.id}`} data-part="declaration">
          <h3 id={`declaration-${declaration.id}`}>{declaration.title}</h3>
          <p>{when(declaration.declaredAt, story.region.code)}</p>
          <ol>
            {declaration.pledges.map((pledge, index) => (
              <li key={index}>{pledge}</li>
            ))}
          </ol>
          <h4>{t("event.signatories", { count: declaration.signatoryCount })}</h4>
          <ul className="links" data-part="signatories">
            {declaration.signatures.map((signature) => (
              <li key={signature.organization.id}>
                <OrganizationName organization={signature.organization} /> · {signature.signedBy} · {when(signature.signedAt, story.region.code)}
              </li>
            ))}
          </ul>
        </section>
      ))}

      {story.election && <Election election={story.election} phaseAtEvent={phaseAtEvent} />}

      <h3>{t("event.reports", { count: story.incidentReports.totalCount })}</h3>
      <ul className="links">
        {story.incidentReports.edges.map(({ node }) => (
          <li key={node.id}>
            <a href={href({ page: "incidents", id: node.id })}>{node.title}</a> · {t(`category.${node.category}`)} · {t(`status.${node.status}`)}
          </li>
        ))}
      </ul>
    </article>
  );
}

/** The README's example operations, opened as the explorer's first tabs. */

const HINT = `# Signed-in operations need a token: put {"Authorization": "Bearer <token>"} in Headers below
# (npm start prints demo tokens; POST /auth/sign-in answers one).
`;

export const MANGGAR = `${HINT}
# The Manggar story across all five subgraphs.
query Manggar {
  events(filter: { regionCode: "19.06.01", kind: SOCIALIZATION }) {
    edges { node {
      title startsAt region { name parent { name } }
      organizer { name }
      speakers { organization { name agencyType } topic }
      participants { organization { name } attendees }
      attendeeCount
      declarations { title pledges signatoryCount signatures { organization { name } signedBy } }
      election { title votingDay phase(at: "2024-11-25T10:00:00+07:00") candidatePairs { ballotNumber headCandidate deputyCandidate } }
    } }
  }
}
`;

export const REPORT = `${HINT}
# An ormas volunteer files a black-campaign report (with an ORMAS token).
mutation Report {
  reportIncident(input: {
    category: BLACK_CAMPAIGN, channel: SOCIAL_MEDIA, platform: "Facebook",
    url: "https://www.facebook.com/contoh/posts/1", title: "Fitnah terhadap pasangan calon",
    description: "Unggahan menuduh tanpa dasar.", occurredAt: "2024-11-20T20:00:00+07:00", regionCode: "19.06.01",
    idempotencyKey: "6f0e2c1a-9b7d-4e43-8a55-2d1c0b9e7f10"   # the phone's own id for this report: resending it is safe
  }) { id status reportingDeadline severity }
}
`;

export const DIRECTORY = `${HINT}
# The directory of Belitung Timur, page by page.
query Directory {
  organizations(filter: { regionCode: "19.06", kind: ORMAS }, first: 20) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { name acronym region { name } } }
  }
}
`;

export const ALERTS = `${HINT}
# Live alerts over graphql-ws (an AGENCY token): alerts appear below as they are raised.
subscription Beltim($after: String) {
  incidentAlerts(filter: { regionCode: "19.06" }, after: $after) {
    sequence kind raisedAt
    report { title category severity region { name } reporter { name } candidatePair { ballotNumber headCandidate } event { title } }
  }
}
`;

export const EXAMPLE_TABS = [MANGGAR, REPORT, DIRECTORY, ALERTS].map((query) => ({ query }));

import { Arg, Authorized, Ctx, Field, FieldResolver, ID, InputType, Int, Mutation, Query, Resolver, Root } from "type-graphql";
import { Caller } from "../../caller/claims";
import { actsFor, mayRead } from "../../caller/access";
import { connectionType, keysetPage } from "../kit/connection";
import { requireCaller, SubgraphContext } from "../kit/context";
import { badInput } from "../../platform/errors";
import { IDEMPOTENCY_KEY_DESCRIPTION, writeOnce } from "../kit/idempotency";
import { filterByRegion, searchTokens, whereNameTokensMatch } from "../kit/filters";
import { referenceById } from "../kit/subgraph";
import { findRegion, regionChildren } from "../kit/regions";
import { optionalText, regionCode, regionInScope, requiredText } from "../kit/validate";
import { searchPage } from "./search";
import type { OrganizationsContext } from "./state";
import { AgencyType, BoardMember, LegalForm, Organization, OrganizationKind, OrganizationSearchToken, OrganizationStatus, Region } from "./entities";
import { message } from "../../platform/i18n";

@InputType()
class OrganizationFilter {
  @Field({ nullable: true, description: 'region prefix: "19" = the province, "19.06" = Belitung Timur' }) regionCode?: string;
  @Field(() => OrganizationKind, { nullable: true }) kind?: OrganizationKind;
  @Field(() => OrganizationStatus, { nullable: true }) status?: OrganizationStatus;
  @Field({ nullable: true, description: "words that begin words of the name, any case and order: \"pemuda mang\" finds Perkumpulan Pemuda Peduli Manggar" }) search?: string;
}

@InputType()
class BoardMemberInput {
  @Field() name: string;
  @Field() position: string;
  @Field({ nullable: true }) phone?: string;
}

@InputType()
class RegisterOrganizationInput {
  @Field() name: string;
  @Field(() => OrganizationKind) kind: OrganizationKind;
  @Field(() => AgencyType, { nullable: true }) agencyType?: AgencyType;
  @Field(() => LegalForm, { nullable: true }) legalForm?: LegalForm;
  @Field({ nullable: true, description: "SKT number, or AHU decree number for legal entities" }) registrationNumber?: string;
  @Field() regionCode: string;
  @Field({ nullable: true }) address?: string;
  @Field({ nullable: true }) acronym?: string;
  @Field(() => [BoardMemberInput], { nullable: true }) board?: BoardMemberInput[];
  @Field({ nullable: true, description: IDEMPOTENCY_KEY_DESCRIPTION }) idempotencyKey?: string;
}

const OrganizationConnection = connectionType(Organization, "Organization");
const PHONE = /^\+?[0-9][0-9 -]{5,19}$/;
const MAX_BOARD = 50;

function checkBoard(board: BoardMemberInput[]): Array<Omit<BoardMember, "id" | "organizationId">> {
  if (board.length > MAX_BOARD) throw badInput("input.board", message("rule.boardAtMost", { max: MAX_BOARD }));
  return board.map((member, index) => {
    const phone = optionalText(`input.board[${index}].phone`, member.phone, { max: 30 });
    if (phone !== null && !PHONE.test(phone)) {
      throw badInput(`input.board[${index}].phone`, message("rule.phone"));
    }
    return {
      name: requiredText(`input.board[${index}].name`, member.name, { max: 120 }),
      position: requiredText(`input.board[${index}].position`, member.position, { max: 120 }),
      phone,
    };
  });
}

/** A registration's organization row and board, checked before anything is written. */
function checkRegistration(input: RegisterOrganizationInput, caller: Caller): { organization: Omit<Organization, "id">; board: Array<Omit<BoardMember, "id" | "organizationId">> } {
  const name = requiredText("input.name", input.name, { max: 200 });
  const region = regionInScope("input.regionCode", input.regionCode, caller);
  if (input.kind === OrganizationKind.AGENCY && !input.agencyType) throw badInput("input.agencyType", message("rule.agencyTypeRequired"));
  if (input.kind !== OrganizationKind.AGENCY && input.agencyType) throw badInput("input.agencyType", message("rule.agencyTypeUnlessAgency"));
  const board = checkBoard(input.board ?? []);
  const organization = {
    name,
    nameKey: name.toLowerCase(),
    acronym: optionalText("input.acronym", input.acronym, { max: 30 }),
    kind: input.kind,
    agencyType: input.agencyType ?? null,
    legalForm: input.legalForm ?? null,
    registrationNumber: optionalText("input.registrationNumber", input.registrationNumber, { max: 100 }),
    regionCode: region,
    address: optionalText("input.address", input.address, { max: 300 }),
    status: OrganizationStatus.ACTIVE,
    registeredAt: new Date().toISOString(),
  };
  return { organization, board };
}

@Resolver(() => Organization)
export class OrganizationResolver {
  @Query(() => Organization, { nullable: true })
  async organization(@Arg("id", () => ID) id: string, @Ctx() { loaders }: SubgraphContext): Promise<Organization | null> {
    return loaders.find(Organization, id);
  }

  @Query(() => OrganizationConnection, { description: "The directory, ordered by name." })
  async organizations(
    @Ctx() { db, state }: OrganizationsContext,
    @Arg("filter", () => OrganizationFilter, { nullable: true }) filter?: OrganizationFilter,
    @Arg("first", () => Int, { nullable: true }) first?: number,
    @Arg("after", () => String, { nullable: true }) after?: string,
  ) {
    const text = filter?.search ?? null;
    // Search alone or within a region: answered from the names in memory (search.ts).
    if (text !== null && !filter?.kind && !filter?.status) return searchPage(db, state, { text, region: filter?.regionCode }, first, after);
    const query = db.getRepository(Organization).createQueryBuilder("o");
    filterByRegion(query, "o.regionCode", filter?.regionCode);
    if (filter?.kind) query.andWhere("o.kind = :kind", { kind: filter.kind });
    if (filter?.status) query.andWhere("o.status = :status", { status: filter.status });
    if (text !== null) {
      whereNameTokensMatch(query, "o.id", { name: "organization_search_tokens", idColumn: "organizationId" }, "filter.search", text);
    }
    return keysetPage(query, { property: "nameKey", direction: "ASC" }, first, after, { list: state.directory });
  }

  @FieldResolver(() => Region)
  region(@Root() organization: Organization): Region | null {
    return findRegion(organization.regionCode) ?? null;
  }

  /** The board (pengurus): names for signed-in readers; phones for AGENCY callers and the organization itself. */
  @FieldResolver(() => [BoardMember])
  async board(@Root() organization: Organization, @Ctx() { caller, loaders }: SubgraphContext): Promise<BoardMember[]> {
    if (!mayRead(caller, "read:directory")) return [];
    const members = await loaders.manyBy(BoardMember, "organizationId").load(organization.id);
    const seesPhones = caller?.role === "AGENCY" || actsFor(caller, String(organization.id));
    return seesPhones ? members : members.map((member) => ({ ...member, phone: null }));
  }

  /** Kesbangpol (or another agency) records an organization of its region in the directory. */
  @Authorized("AGENCY")
  @Mutation(() => Organization)
  async registerOrganization(
    @Arg("input", () => RegisterOrganizationInput) input: RegisterOrganizationInput,
    @Ctx() context: OrganizationsContext,
  ): Promise<Organization> {
    const caller = requireCaller(context);
    const { idempotencyKey, ...rest } = input;
    const { value } = await writeOnce(
      context,
      { mutation: "registerOrganization", caller, key: idempotencyKey, field: "input.idempotencyKey", input: rest },
      {
        check: async () => checkRegistration(input, caller),
        write: async (manager, { organization, board }) => {
          // First: on MySQL its row lock makes a second registration of the same name wait, then see this one.
          await context.state.directory.changed(manager);
          const duplicate = await manager.getRepository(Organization).findOneBy({ nameKey: organization.nameKey, regionCode: organization.regionCode });
          if (duplicate) throw badInput("input.name", message("rule.nameUniqueInRegion", { name: duplicate.name, id: duplicate.id }));
          const saved = await manager.getRepository(Organization).save(manager.getRepository(Organization).create(organization));
          // The name's words, for indexed name search (see the OrganizationSearchTokens migration). MySQL's
          // collation calls some different words equal ("straße", "strasse"): one index entry serves both.
          const tokens = searchTokens(saved.nameKey).map((token) => ({ token, nameKey: saved.nameKey, organizationId: saved.id, regionCode: saved.regionCode }));
          if (tokens.length > 0) await manager.createQueryBuilder().insert().into(OrganizationSearchToken).values(tokens).orIgnore().execute();
          if (board.length > 0) {
            await manager.getRepository(BoardMember).insert(board.map((member) => ({ ...member, organizationId: saved.id })));
          }
          return saved;
        },
        idOf: (saved) => saved.id,
        replay: (id) => context.db.getRepository(Organization).findOneByOrFail({ id }),
      },
    );
    return value;
  }
}

/**
 * The national region list, served from the catalog every process holds in memory (kit/regions.ts): it is
 * reference data that no API call changes. The regions table mirrors it for reports written in SQL.
 */
@Resolver(() => Region)
export class RegionResolver {
  @Query(() => Region, { nullable: true })
  region(@Arg("code", () => ID) code: string): Region | null {
    return findRegion(code) ?? null;
  }

  @Query(() => [Region], { description: "The regions directly under parentCode; without it, the provinces." })
  regions(@Arg("parentCode", () => ID, { nullable: true }) parentCode?: string): readonly Region[] {
    if (parentCode === undefined || parentCode === null) return regionChildren(null);
    return regionChildren(regionCode("parentCode", parentCode));
  }

  @FieldResolver(() => Region, { nullable: true })
  parent(@Root() region: Region): Region | null {
    return region.parentCode ? (findRegion(region.parentCode) ?? null) : null;
  }

  @FieldResolver(() => [Region])
  children(@Root() region: Region): readonly Region[] {
    return regionChildren(region.code);
  }
}

/** Organizations referenced from other subgraphs (organizer, reporter, signatory). */
export const organizationReferences = {
  Organization: referenceById(Organization),
  Region: (reference: Record<string, unknown>) => (typeof reference.code === "string" ? (findRegion(reference.code) ?? null) : null),
};

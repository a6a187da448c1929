import { Arg, Authorized, Ctx, Field, FieldResolver, ID, InputType, Int, Mutation, Query, Resolver, Root } from "type-graphql";
import { actsFor } from "../../caller/access";
import { connectionType, keysetPage } from "../kit/connection";
import { callerOrganizationId, requireCaller, SubgraphContext } from "../kit/context";
import { badInput, forbiddenInput } from "../../platform/errors";
import { filterByRegion } from "../kit/filters";
import { IDEMPOTENCY_KEY_DESCRIPTION, writeOnce } from "../kit/idempotency";
import { assertEntitiesExist } from "../kit/lookups";
import { referenceById } from "../kit/subgraph";
import { ElectionRef, electionRef, EventRef, eventRef, idOrNull, OrganizationRef, organizationRef, RegionRef, regionRef } from "../kit/references";
import { isoDateTime, optionalRecordId, recordId, regionInScope, requiredText } from "../kit/validate";
import { Declaration, DeclarationSignature } from "./entities";
import { message } from "../../platform/i18n";

@InputType()
class DeclarationFilter {
  @Field({ nullable: true, description: 'region prefix: "19" = the province, "19.06" = Belitung Timur' }) regionCode?: string;
  @Field(() => ID, { nullable: true }) eventId?: string;
}

@InputType()
class CreateDeclarationInput {
  @Field() title: string;
  @Field(() => [String], { description: "1 to 20 pledges (ikrar), each at most 500 characters" }) pledges: string[];
  @Field({ description: "ISO date-time with a time zone" }) declaredAt: string;
  @Field() regionCode: string;
  @Field(() => ID, { nullable: true }) eventId?: string;
  @Field(() => ID, { nullable: true }) electionId?: string;
  @Field({ nullable: true, description: IDEMPOTENCY_KEY_DESCRIPTION }) idempotencyKey?: string;
}

const DeclarationConnection = connectionType(Declaration, "Declaration");
const MAX_PLEDGES = 20;

function checkPledges(pledges: string[]): string[] {
  if (pledges.length < 1 || pledges.length > MAX_PLEDGES) throw badInput("input.pledges", message("rule.pledgesRange", { max: MAX_PLEDGES }));
  return pledges.map((pledge, index) => requiredText(`input.pledges[${index}]`, pledge, { max: 500 }));
}

@Resolver(() => Declaration)
export class DeclarationResolver {
  @Query(() => Declaration, { nullable: true })
  async declaration(@Arg("id", () => ID) id: string, @Ctx() { loaders }: SubgraphContext): Promise<Declaration | null> {
    return loaders.find(Declaration, id);
  }

  @Query(() => DeclarationConnection, { description: "Declarations, oldest first (by declaredAt)." })
  async declarations(
    @Ctx() { db }: SubgraphContext,
    @Arg("filter", () => DeclarationFilter, { nullable: true }) filter?: DeclarationFilter,
    @Arg("first", () => Int, { nullable: true }) first?: number,
    @Arg("after", () => String, { nullable: true }) after?: string,
  ) {
    const query = db.getRepository(Declaration).createQueryBuilder("d");
    filterByRegion(query, "d.regionCode", filter?.regionCode);
    if (filter?.eventId !== undefined && filter.eventId !== null) {
      // An id that cannot be ours matches nothing, as an unknown id does.
      query.andWhere("d.eventId = :eventId", { eventId: idOrNull(filter.eventId) ?? -1 });
    }
    return keysetPage(query, { property: "declaredAt", direction: "ASC" }, first, after);
  }

  @FieldResolver(() => RegionRef)
  region(@Root() declaration: Declaration): RegionRef {
    return regionRef(declaration.regionCode);
  }

  @FieldResolver(() => EventRef, { nullable: true })
  event(@Root() declaration: Declaration): EventRef | null {
    return declaration.eventId === null ? null : eventRef(declaration.eventId);
  }

  @FieldResolver(() => ElectionRef, { nullable: true })
  election(@Root() declaration: Declaration): ElectionRef | null {
    return declaration.electionId === null ? null : electionRef(declaration.electionId);
  }

  /** Signatures in signing order. */
  @FieldResolver(() => [DeclarationSignature])
  async signatures(@Root() declaration: Declaration, @Ctx() { loaders }: SubgraphContext): Promise<DeclarationSignature[]> {
    return loaders.manyBy(DeclarationSignature, "declarationId").load(declaration.id);
  }

  @FieldResolver(() => Int)
  async signatoryCount(@Root() declaration: Declaration, @Ctx() { loaders }: SubgraphContext): Promise<number> {
    // The same batched load as `signatures`, so asking for both costs one query.
    return (await loaders.manyBy(DeclarationSignature, "declarationId").load(declaration.id)).length;
  }

  /** An agency or ormas records a declaration made in its region (at an event, for an election). */
  @Authorized("AGENCY", "ORMAS")
  @Mutation(() => Declaration)
  async createDeclaration(
    @Arg("input", () => CreateDeclarationInput) input: CreateDeclarationInput,
    @Ctx() context: SubgraphContext,
  ): Promise<Declaration> {
    const caller = requireCaller(context);
    const createdByOrgId = callerOrganizationId(caller, "createDeclaration");
    const { idempotencyKey, ...rest } = input;
    const { value } = await writeOnce(
      context,
      { mutation: "createDeclaration", caller, key: idempotencyKey, field: "input.idempotencyKey", input: rest },
      {
        check: async () => {
          const declaration = {
            title: requiredText("input.title", input.title, { max: 200 }),
            pledges: checkPledges(input.pledges),
            declaredAt: isoDateTime("input.declaredAt", input.declaredAt),
            regionCode: regionInScope("input.regionCode", input.regionCode, caller),
            eventId: optionalRecordId("input.eventId", input.eventId),
            electionId: optionalRecordId("input.electionId", input.electionId),
            createdByOrgId,
          };
          const { eventId, electionId } = declaration;
          await Promise.all([
            assertEntitiesExist(context.peers, "events", "Event", eventId === null ? [] : [{ field: "input.eventId", id: String(eventId) }]),
            assertEntitiesExist(context.peers, "elections", "Election", electionId === null ? [] : [{ field: "input.electionId", id: String(electionId) }]),
          ]);
          return declaration;
        },
        write: (manager, declaration) => manager.getRepository(Declaration).save(manager.getRepository(Declaration).create({ ...declaration, createdAt: new Date().toISOString() })),
        idOf: (saved) => saved.id,
        replay: (id) => context.db.getRepository(Declaration).findOneByOrFail({ id }),
      },
    );
    return value;
  }

  /**
   * An organization signs a declaration, through its own token only. Idempotent per organization: signing
   * again (or twice at once) keeps the first signature and returns the declaration unchanged.
   */
  @Authorized("AGENCY", "ORMAS") // integrators only read, even with an org claim
  @Mutation(() => Declaration)
  async signDeclaration(
    @Arg("declarationId", () => ID) declarationId: string,
    @Arg("organizationId", () => ID) organizationId: string,
    @Arg("signedBy") signedBy: string,
    @Ctx() context: SubgraphContext,
  ): Promise<Declaration> {
    const caller = requireCaller(context);
    const declaration = await context.loaders.byId(Declaration).load(recordId("declarationId", declarationId));
    if (!declaration) throw badInput("declarationId", message("rule.existingEntity", { typename: "Declaration", id: declarationId }));
    const signer = recordId("organizationId", organizationId);
    if (!actsFor(caller, String(signer))) {
      throw forbiddenInput("organizationId", message("rule.signOwnOrganization", { signer, organization: caller.org ?? message("word.noOrganization") }));
    }
    const name = requiredText("signedBy", signedBy, { max: 120 });
    if (await context.db.getRepository(DeclarationSignature).existsBy({ declarationId: declaration.id, organizationId: signer })) return declaration;
    await assertEntitiesExist(context.peers, "organizations", "Organization", [{ field: "organizationId", id: String(signer) }]);
    // INSERT OR IGNORE / INSERT IGNORE on the unique (declarationId, organizationId): of two identical
    // requests racing past the check above, the second inserts nothing and answers the same declaration.
    await context.storage.write((manager) =>
      manager
        .createQueryBuilder()
        .insert()
        .into(DeclarationSignature)
        .values({ declarationId: declaration.id, organizationId: signer, signedBy: name, signedAt: new Date().toISOString() })
        .orIgnore()
        .execute(),
    );
    return declaration;
  }
}

@Resolver(() => DeclarationSignature)
export class DeclarationSignatureResolver {
  @FieldResolver(() => OrganizationRef)
  organization(@Root() signature: DeclarationSignature): OrganizationRef {
    return organizationRef(signature.organizationId);
  }
}

/** Declarations made at an event: Event.declarations. */
@Resolver(() => EventRef)
export class EventDeclarationsResolver {
  @FieldResolver(() => [Declaration], { description: "declarations made at this event" })
  async declarations(@Root() event: EventRef, @Ctx() { loaders }: SubgraphContext): Promise<Declaration[]> {
    const id = idOrNull(event.id);
    return id === null ? [] : loaders.manyBy(Declaration, "eventId").load(id);
  }
}

/** Declarations an organization signed: Organization.declarationsSigned. */
@Resolver(() => OrganizationRef)
export class OrganizationDeclarationsResolver {
  @FieldResolver(() => [Declaration], { description: "declarations this organization signed, in signing order" })
  async declarationsSigned(@Root() organization: OrganizationRef, @Ctx() { loaders }: SubgraphContext): Promise<Declaration[]> {
    const id = idOrNull(organization.id);
    if (id === null) return [];
    const signatures = await loaders.manyBy(DeclarationSignature, "organizationId").load(id);
    const declarations = await loaders.byId(Declaration).loadMany(signatures.map((signature) => signature.declarationId));
    return declarations.filter((declaration): declaration is Declaration => declaration instanceof Declaration);
  }
}

/** Declarations referenced from the gateway's query plans. */
export const declarationReferences = {
  Declaration: referenceById(Declaration),
};

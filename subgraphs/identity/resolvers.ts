import { Arg, Authorized, Ctx, Field, FieldResolver, ID, InputType, Int, Query, Resolver, Root } from "type-graphql";
import { Brackets, ObjectLiteral, SelectQueryBuilder } from "typeorm";
import { connectionType, Connection, keysetPage } from "../kit/connection";
import { requireCaller } from "../kit/context";
import { OrganizationRef } from "../kit/references";
import { isoDateTime, optionalRecordId, regionCode } from "../kit/validate";
import { requireAdministrator } from "./administration";
import { Account, AccountRole, AuditEvent, AuditKind, regionsOf } from "./entities";
import { accountIdOf } from "./sessions";
import type { IdentityContext } from "./state";

@Resolver(() => Account)
export class AccountResolver {
  @FieldResolver(() => OrganizationRef, { description: "the organization the account acts for" })
  organization(@Root() account: Account): OrganizationRef {
    return { id: String(account.organizationId) };
  }

  @FieldResolver(() => [String], { description: 'region-code prefixes the account acts in, e.g. ["19.06"]' })
  regions(@Root() account: Account): string[] {
    return regionsOf(account.regions);
  }

  /** The signed-in account; null for a token that is not an account's (a minted or demo token). */
  @Authorized()
  @Query(() => Account, { nullable: true, description: "The account of the access token; null for tokens not issued at sign-in" })
  async me(@Ctx() context: IdentityContext): Promise<Account | null> {
    const id = accountIdOf(requireCaller(context).sub);
    return id === null ? null : context.db.getRepository(Account).findOneBy({ id });
  }
}

const AccountConnection = connectionType(Account, "Account");

@Resolver(() => Account)
export class AccountListResolver {
  /**
   * The accounts an administrator sees, newest first: those with a region inside the administrator's regions
   * (an ORMAS administrator: of its own organization too), disabled ones included.
   */
  @Authorized()
  @Query(() => AccountConnection, { description: "Administrators: the accounts in their regions (ORMAS: of their organization), newest first" })
  async accounts(
    @Arg("first", () => Int, { nullable: true }) first: number | null,
    @Arg("after", () => String, { nullable: true }) after: string | null,
    @Ctx() context: IdentityContext,
  ): Promise<Connection<Account>> {
    const admin = await requireAdministrator(context, "accounts");
    const query = administered(context.db.getRepository(Account).createQueryBuilder("a"), admin);
    return keysetPage(query, { property: "createdAt", direction: "DESC" }, first, after);
  }
}

@InputType()
class AuditFilter {
  @Field(() => AuditKind, { nullable: true }) kind?: AuditKind;
  @Field(() => ID, { nullable: true, description: "events about this account" }) accountId?: string;
  @Field(() => ID, { nullable: true, description: "events about this partner app (integration)" }) integrationId?: string;
  @Field(() => ID, { nullable: true, description: "deliveries of this incident report's reporter" }) reportId?: string;
  @Field({ nullable: true, description: 'a region prefix inside your regions, e.g. "19.06.01"' }) regionCode?: string;
  @Field({ nullable: true, description: "ISO date-time: events at or after it" }) from?: string;
  @Field({ nullable: true, description: "ISO date-time: events before it" }) to?: string;
}

const AuditEventConnection = connectionType(AuditEvent, "AuditEvent");

/** `regions LIKE` conditions: an event whose account's regions fall inside one of the prefixes. */
function withinRegions(alias: string, prefixes: string[], tag: string): Brackets {
  return new Brackets((where) => {
    prefixes.forEach((prefix, index) => {
      where.orWhere(`(${alias}.regions LIKE :${tag}${index}exact OR ${alias}.regions LIKE :${tag}${index}below)`, {
        [`${tag}${index}exact`]: `% ${prefix} %`,
        [`${tag}${index}below`]: `% ${prefix}.%`,
      });
    });
  });
}

/**
 * What an administrator sees of accounts or audit events: rows with a region inside its regions, and for an
 * ORMAS administrator of its own organization only.
 */
export function administered<T extends ObjectLiteral>(query: SelectQueryBuilder<T>, admin: Account): SelectQueryBuilder<T> {
  query.where(withinRegions(query.alias, regionsOf(admin.regions), "own"));
  if (admin.role === AccountRole.ORMAS) query.andWhere(`${query.alias}.organizationId = :adminOrg`, { adminOrg: admin.organizationId });
  return query;
}

@Resolver(() => AuditEvent)
export class AuditEventResolver {
  @FieldResolver(() => ID, { nullable: true, description: "the account that acted (administrator, or the account signing in)" })
  actorAccountId(@Root() event: AuditEvent): string | null {
    return event.actorAccountId === null ? null : String(event.actorAccountId);
  }

  @FieldResolver(() => ID, { nullable: true, description: "the account acted on; null for an unknown login name" })
  accountId(@Root() event: AuditEvent): string | null {
    return event.accountId === null ? null : String(event.accountId);
  }

  @FieldResolver(() => ID, { nullable: true, description: "the partner app acted on or acting; null for other events" })
  integrationId(@Root() event: AuditEvent): string | null {
    return event.integrationId === null ? null : String(event.integrationId);
  }

  @FieldResolver(() => ID, { nullable: true, description: "REPORTER_DELIVERED: the incident report whose reporter was delivered" })
  reportId(@Root() event: AuditEvent): string | null {
    return event.reportId === null ? null : String(event.reportId);
  }

  @FieldResolver(() => OrganizationRef, { nullable: true })
  organization(@Root() event: AuditEvent): OrganizationRef | null {
    return event.organizationId === null ? null : { id: String(event.organizationId) };
  }

  @FieldResolver(() => [String])
  regions(@Root() event: AuditEvent): string[] {
    return regionsOf(event.regions);
  }

  /**
   * The audit trail, newest first, for administrators: events about accounts in their regions (an ORMAS
   * administrator: of its own organization too). Read only: no operation changes or deletes an event.
   */
  @Authorized()
  @Query(() => AuditEventConnection, { description: "Administrators: security events about the accounts in their regions, newest first" })
  async auditEvents(
    @Arg("filter", () => AuditFilter, { nullable: true }) filter: AuditFilter | null,
    @Arg("first", () => Int, { nullable: true }) first: number | null,
    @Arg("after", () => String, { nullable: true }) after: string | null,
    @Ctx() context: IdentityContext,
  ): Promise<Connection<AuditEvent>> {
    const admin = await requireAdministrator(context, "auditEvents");
    const query = administered(context.db.getRepository(AuditEvent).createQueryBuilder("e"), admin);
    if (filter?.kind) query.andWhere("e.kind = :kind", { kind: filter.kind });
    const accountId = optionalRecordId("filter.accountId", filter?.accountId);
    if (accountId !== null) query.andWhere("e.accountId = :accountId", { accountId });
    const integrationId = optionalRecordId("filter.integrationId", filter?.integrationId);
    if (integrationId !== null) query.andWhere("e.integrationId = :integrationId", { integrationId });
    const reportId = optionalRecordId("filter.reportId", filter?.reportId);
    if (reportId !== null) query.andWhere("e.reportId = :reportId", { reportId });
    if (filter?.regionCode) query.andWhere(withinRegions("e", [regionCode("filter.regionCode", filter.regionCode)], "filter"));
    if (filter?.from) query.andWhere("e.at >= :from", { from: isoDateTime("filter.from", filter.from) });
    if (filter?.to) query.andWhere("e.at < :to", { to: isoDateTime("filter.to", filter.to) });
    return keysetPage(query, { property: "at", direction: "DESC" }, first, after);
  }
}

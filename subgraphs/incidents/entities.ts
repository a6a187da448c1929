import { Directive, Field, ID, Int, ObjectType, registerEnumType } from "type-graphql";
import { Column, Entity, PrimaryGeneratedColumn } from "typeorm";

/** What was violated; the categories follow UU 10/2016 and Bawaslu regulations (SCENARIO.md). */
export enum IncidentCategory {
  BLACK_CAMPAIGN = "BLACK_CAMPAIGN", // kampanye hitam: inciting, slander, setting groups against each other (Pasal 69 c)
  NEGATIVE_CAMPAIGN = "NEGATIVE_CAMPAIGN", // kampanye negatif: lawful criticism on facts; monitored, not prosecuted
  SARA_INSULT = "SARA_INSULT", // penghinaan SARA: religion, ethnicity, race, group (Pasal 69 b)
  HOAX = "HOAX", // hoaks
  MONEY_POLITICS = "MONEY_POLITICS", // politik uang (Pasal 73, 187A)
  ASN_NEUTRALITY = "ASN_NEUTRALITY", // netralitas ASN and village heads (Pasal 71)
  INTIMIDATION = "INTIMIDATION", // intimidasi or violence
  CAMPAIGN_PROPS = "CAMPAIGN_PROPS", // alat peraga kampanye (APK)
  VOTER_DATA = "VOTER_DATA", // data pemilih (DPT)
  OTHER = "OTHER",
}
export enum IncidentChannel {
  PUBLIC_SPACE = "PUBLIC_SPACE", // ruang publik
  SOCIAL_MEDIA = "SOCIAL_MEDIA", // media sosial
  ONLINE_MEDIA = "ONLINE_MEDIA", // media daring (news portals)
  MESSAGING = "MESSAGING", // WhatsApp groups and the like
}
export enum Severity {
  LOW = "LOW",
  MEDIUM = "MEDIUM",
  HIGH = "HIGH",
  CRITICAL = "CRITICAL",
}
export enum IncidentStatus {
  RECEIVED = "RECEIVED",
  UNDER_REVIEW = "UNDER_REVIEW",
  VERIFIED = "VERIFIED",
  FORWARDED = "FORWARDED", // e.g. to Sentra Gakkumdu (Bawaslu, police, prosecutor)
  RESOLVED = "RESOLVED",
  DISMISSED = "DISMISSED",
}
export enum AlertKind {
  REPORTED = "REPORTED",
  ESCALATED = "ESCALATED",
  DEADLINE_NEAR = "DEADLINE_NEAR", // 24 hours before the reporting or handling deadline
}
/** What a version of a report records. */
export enum ReportChangeKind {
  FILED = "FILED",
  CORRECTED = "CORRECTED", // koreksi by the reporting organization, while RECEIVED
  WITHDRAWN = "WITHDRAWN", // pencabutan laporan
}
registerEnumType(IncidentCategory, { name: "IncidentCategory" });
registerEnumType(IncidentChannel, { name: "IncidentChannel" });
registerEnumType(Severity, { name: "Severity" });
registerEnumType(IncidentStatus, { name: "IncidentStatus" });
registerEnumType(AlertKind, { name: "AlertKind" });
registerEnumType(ReportChangeKind, { name: "ReportChangeKind" });

/** A report of a suspected violation (laporan dugaan pelanggaran) filed by an ormas or agency. */
@ObjectType()
@Directive('@key(fields: "id")')
@Entity("incident_reports")
export class IncidentReport {
  @Field(() => ID) @PrimaryGeneratedColumn() id: number;
  @Field(() => IncidentCategory) @Column({ type: "varchar", length: 20 }) category: IncidentCategory;
  @Field(() => IncidentChannel) @Column({ type: "varchar", length: 20 }) channel: IncidentChannel;
  @Field(() => String, { nullable: true, description: '"Facebook", "TikTok", "WhatsApp", ... when channel is not PUBLIC_SPACE' })
  @Column({ type: "varchar", length: 50, nullable: true })
  platform: string | null;
  @Field(() => String, { nullable: true }) @Column({ type: "varchar", length: 2000, nullable: true }) url: string | null;
  @Field() @Column({ type: "varchar", length: 200 }) title: string;
  @Field() @Column({ type: "text" }) description: string;
  @Field({ description: "ISO date-time (UTC)" }) @Column({ type: "varchar", length: 24 }) occurredAt: string;
  @Field({ description: "ISO date-time (UTC)" }) @Column({ type: "varchar", length: 24 }) reportedAt: string;
  @Field({ description: "ISO date-time (UTC): when the violation was known or discovered (diketahui dan/atau ditemukan); default occurredAt" })
  @Column({ type: "varchar", length: 24 })
  discoveredAt: string;
  /** reportingDeadline as a UTC instant, for the deadline clock and the overdue filter. */
  @Column({ type: "varchar", length: 24 }) reportingDueAt: string;
  /** When an agency first moved the report past RECEIVED: the handling clock starts. */
  @Column({ type: "varchar", length: 24, nullable: true }) handlingStartedAt: string | null;
  /** handlingDeadline as a UTC instant. */
  @Column({ type: "varchar", length: 24, nullable: true }) handlingDueAt: string | null;
  @Column({ type: "varchar", length: 24, nullable: true }) handlingExtendedAt: string | null;
  @Column({ type: "varchar", length: 1000, nullable: true }) handlingExtensionReason: string | null;
  @Column({ type: "integer", nullable: true }) handlingExtendedByOrgId: number | null;
  /** When DEADLINE_NEAR was raised for each deadline: set in the alert's transaction, so it is raised once. */
  @Column({ type: "varchar", length: 24, nullable: true }) reportingWarnedAt: string | null;
  @Column({ type: "varchar", length: 24, nullable: true }) handlingWarnedAt: string | null;
  @Field(() => String, { nullable: true, description: "ISO date-time (UTC) the reporting organization withdrew the report; null while it stands" })
  @Column({ type: "varchar", length: 24, nullable: true })
  withdrawnAt: string | null;
  @Field(() => String, { nullable: true, description: "why the reporting organization withdrew it" })
  @Column({ type: "varchar", length: 1000, nullable: true })
  withdrawalReason: string | null;
  @Column({ type: "varchar", length: 13 }) regionCode: string;
  @Column({ type: "integer", nullable: true }) candidatePairId: number | null;
  @Column({ type: "integer", nullable: true }) eventId: number | null;
  /** Whistleblower data: exposed only through the guarded `reporter` field. */
  @Column({ type: "integer" }) reporterOrgId: number;
  @Field(() => Severity) @Column({ type: "varchar", length: 10 }) severity: Severity;
  @Field(() => IncidentStatus) @Column({ type: "varchar", length: 20 }) status: IncidentStatus;
}

/** One step of a report's handling; the first is RECEIVED by the reporter. */
@ObjectType()
@Entity("incident_status_changes")
export class IncidentStatusChange {
  @PrimaryGeneratedColumn() id: number;
  @Column({ type: "integer" }) reportId: number;
  @Field(() => IncidentStatus) @Column({ type: "varchar", length: 20 }) status: IncidentStatus;
  @Field(() => String, { nullable: true }) @Column({ type: "varchar", length: 1000, nullable: true }) note: string | null;
  @Field({ description: "ISO date-time (UTC)" }) @Column({ type: "varchar", length: 24 }) at: string;
  /** The organization that made the change: always stored; null only on copies masked for callers who may not see the reporter. */
  @Column({ type: "integer" }) byOrgId: number | null;
}

/** The one extension of a report's handling deadline. */
@ObjectType()
export class HandlingExtension {
  @Field({ description: "ISO date-time (UTC)" }) at: string;
  @Field() reason: string;
  byOrgId: number;
}

/**
 * One version of a report's content, oldest first: FILED, then each correction, and the withdrawal. Nothing
 * is overwritten: each row holds the content as it stood after that change.
 */
@ObjectType()
@Entity("incident_report_versions")
export class IncidentReportVersion {
  @PrimaryGeneratedColumn() id: number;
  @Column({ type: "integer" }) reportId: number;
  @Field(() => Int, { description: "1 for the report as filed" }) @Column({ type: "integer" }) version: number;
  @Field(() => ReportChangeKind) @Column({ type: "varchar", length: 12 }) kind: ReportChangeKind;
  @Field(() => IncidentCategory) @Column({ type: "varchar", length: 20 }) category: IncidentCategory;
  @Field() @Column({ type: "text" }) description: string;
  @Field(() => String, { nullable: true }) @Column({ type: "varchar", length: 2000, nullable: true }) url: string | null;
  /** Comma-separated names of the fields this change set; exposed as a list. */
  @Column({ type: "varchar", length: 100 }) changed: string;
  @Field(() => String, { nullable: true, description: "the reason given for a withdrawal" })
  @Column({ type: "varchar", length: 1000, nullable: true })
  reason: string | null;
  @Field({ description: "ISO date-time (UTC)" }) @Column({ type: "varchar", length: 24 }) at: string;
  @Column({ type: "integer" }) byOrgId: number;
}

/**
 * An alert row, written in the same transaction as the report or review that raised it, so replay by
 * sequence misses nothing. Region, category and severity are copied so replays filter without a join.
 */
@ObjectType()
@Entity("incident_alerts")
export class IncidentAlert {
  @PrimaryGeneratedColumn() sequence: number;
  @Field(() => AlertKind) @Column({ type: "varchar", length: 20 }) kind: AlertKind;
  @Column({ type: "integer" }) reportId: number;
  @Field({ description: "ISO date-time (UTC)" }) @Column({ type: "varchar", length: 24 }) raisedAt: string;
  @Column({ type: "varchar", length: 13 }) regionCode: string;
  @Column({ type: "varchar", length: 20 }) category: IncidentCategory;
  @Column({ type: "varchar", length: 10 }) severity: Severity;
}

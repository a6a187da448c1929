import { Directive, Field, ID, ObjectType, registerEnumType } from "type-graphql";
import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from "typeorm";
import type { RegionLevel as RegionLevelName } from "../kit/regions";

export enum OrganizationKind {
  ORMAS = "ORMAS", // organisasi kemasyarakatan
  LSM = "LSM", // lembaga swadaya masyarakat (NGO)
  AGENCY = "AGENCY", // government agency
}
export enum AgencyType {
  KESBANGPOL = "KESBANGPOL", // Badan Kesatuan Bangsa dan Politik
  BAWASLU = "BAWASLU", // election supervisory body
  POLICE = "POLICE", // e.g. Satuan Intelkam Polres
  PROSECUTOR = "PROSECUTOR", // e.g. Seksi Intel Kejaksaan Negeri
  KPU = "KPU", // election commission
  LOCAL_GOVERNMENT = "LOCAL_GOVERNMENT",
}
export enum LegalForm {
  PERKUMPULAN = "PERKUMPULAN", // association, legal entity registered via AHU
  YAYASAN = "YAYASAN", // foundation, legal entity registered via AHU
  UNINCORPORATED = "UNINCORPORATED", // ormas with an SKT (Surat Keterangan Terdaftar)
}
export enum OrganizationStatus {
  ACTIVE = "ACTIVE",
  SUSPENDED = "SUSPENDED",
  DISSOLVED = "DISSOLVED",
}
export enum RegionLevel {
  PROVINCE = "PROVINCE",
  REGENCY = "REGENCY", // kabupaten or kota
  DISTRICT = "DISTRICT", // kecamatan
  VILLAGE = "VILLAGE", // desa or kelurahan
}
registerEnumType(OrganizationKind, { name: "OrganizationKind" });
registerEnumType(AgencyType, { name: "AgencyType" });
registerEnumType(LegalForm, { name: "LegalForm" });
registerEnumType(OrganizationStatus, { name: "OrganizationStatus" });
registerEnumType(RegionLevel, { name: "RegionLevel" });

/** A Kemendagri administrative region, loaded from idn-area-data. */
@ObjectType()
@Directive('@key(fields: "code")')
@Entity("regions")
export class Region {
  @Field(() => ID, { description: '"19", "19.06", "19.06.01", ...' })
  @PrimaryColumn({ type: "varchar", length: 13 })
  code: string;

  /** Shareable: the other subgraphs answer it from the same national list (kit/references.ts RegionRef). */
  @Field()
  @Directive("@shareable")
  @Column({ type: "varchar", length: 100 })
  name: string;

  @Field(() => RegionLevel) @Column({ type: "varchar", length: 8 }) level: RegionLevelName;

  @Column({ type: "varchar", length: 13, nullable: true }) parentCode: string | null;
}

/** A member of an organization's board (pengurus). */
@ObjectType()
@Entity("board_members")
export class BoardMember {
  @PrimaryGeneratedColumn() id: number;
  @Column() organizationId: number;
  @Field() @Column({ type: "varchar", length: 120 }) name: string;
  @Field({ description: "Ketua, Sekretaris, Bendahara, ..." }) @Column({ type: "varchar", length: 120 }) position: string;
  /** Visible to AGENCY callers and the organization itself only. */
  @Field(() => String, { nullable: true }) @Column({ type: "varchar", length: 30, nullable: true }) phone: string | null;
}

/** An ormas, LSM or agency in the directory. */
@ObjectType()
@Directive('@key(fields: "id")')
@Entity("organizations")
export class Organization {
  @Field(() => ID) @PrimaryGeneratedColumn() id: number;
  @Field() @Column({ type: "varchar", length: 200 }) name: string;
  /** Lower-cased name, for case-insensitive search on both engines. */
  @Column({ type: "varchar", length: 200 }) nameKey: string;
  @Field(() => String, { nullable: true }) @Column({ type: "varchar", length: 30, nullable: true }) acronym: string | null;
  @Field(() => OrganizationKind) @Column({ type: "varchar", length: 10 }) kind: OrganizationKind;
  @Field(() => AgencyType, { nullable: true, description: "set only when kind = AGENCY" })
  @Column({ type: "varchar", length: 20, nullable: true })
  agencyType: AgencyType | null;
  @Field(() => LegalForm, { nullable: true }) @Column({ type: "varchar", length: 20, nullable: true }) legalForm: LegalForm | null;
  @Field(() => String, { nullable: true, description: "SKT number, or AHU decree number for legal entities" })
  @Column({ type: "varchar", length: 100, nullable: true })
  registrationNumber: string | null;
  @Column({ type: "varchar", length: 13 }) regionCode: string;
  @Field(() => String, { nullable: true }) @Column({ type: "varchar", length: 300, nullable: true }) address: string | null;
  @Field(() => OrganizationStatus) @Column({ type: "varchar", length: 10 }) status: OrganizationStatus;
  @Column({ type: "varchar", length: 24 }) registeredAt: string;
}

/**
 * One word of an organization's name (kit/filters.ts nameTokens) with the name's sort key and region, so a
 * name search reads one index range in name order: the primary key (token, nameKey, organizationId) is the
 * search index, and the region is tested in the row (clustered on MySQL, WITHOUT ROWID on SQLite) without
 * reading the organization. Written with the organization, in the same transaction. A search alone (or with
 * a region) reads the names held in memory instead (name-index.ts); this index serves a search combined
 * with a kind or status filter.
 */
@Entity("organization_search_tokens", { withoutRowid: true })
export class OrganizationSearchToken {
  @PrimaryColumn({ type: "varchar", length: 50 }) token: string;
  @PrimaryColumn({ type: "varchar", length: 200 }) nameKey: string;
  @PrimaryColumn({ type: "integer" }) organizationId: number;
  @Column({ type: "varchar", length: 13 }) regionCode: string;
}

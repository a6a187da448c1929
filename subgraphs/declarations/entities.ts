import { Directive, Field, ID, ObjectType } from "type-graphql";
import { Column, Entity, PrimaryGeneratedColumn } from "typeorm";

/** A public declaration (deklarasi), e.g. "Deklarasi Pilkada Damai 2024", that organizations sign. */
@ObjectType()
@Directive('@key(fields: "id")')
@Entity("declarations")
export class Declaration {
  @Field(() => ID) @PrimaryGeneratedColumn() id: number;
  @Field({ description: '"Deklarasi Pilkada Damai 2024"' }) @Column({ type: "varchar", length: 200 }) title: string;
  /** The pledges (ikrar) in their spoken order; a JSON array, read whole with the declaration. */
  @Field(() => [String]) @Column({ type: "simple-json" }) pledges: string[];
  @Field({ description: "ISO date-time (UTC)" }) @Column({ type: "varchar", length: 24 }) declaredAt: string;
  @Column({ type: "varchar", length: 13 }) regionCode: string;
  @Column({ type: "integer", nullable: true }) eventId: number | null;
  @Column({ type: "integer", nullable: true }) electionId: number | null;
  /** The organization whose officer recorded the declaration (from the token's org claim). */
  @Column({ type: "integer" }) createdByOrgId: number;
  @Column({ type: "varchar", length: 24 }) createdAt: string;
}

/** One organization's signature on a declaration; at most one per organization. */
@ObjectType()
@Entity("declaration_signatures")
export class DeclarationSignature {
  @PrimaryGeneratedColumn() id: number;
  @Column({ type: "integer" }) declarationId: number;
  @Column({ type: "integer" }) organizationId: number;
  @Field({ description: "the person who signed for the organization (usually its ketua)" })
  @Column({ type: "varchar", length: 120 })
  signedBy: string;
  @Field({ description: "ISO date-time (UTC)" }) @Column({ type: "varchar", length: 24 }) signedAt: string;
}

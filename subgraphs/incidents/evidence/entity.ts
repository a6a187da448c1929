import { Field, ID, Int, ObjectType } from "type-graphql";
import { Column, Entity, PrimaryColumn } from "typeorm";

/**
 * An evidence file (bukti): uploaded through the gateway's HTTP endpoint, then attached to one report. Its hashes are
 * computed by the hub at receipt and never change; no API modifies or deletes it (the retention job removes uploads
 * never attached).
 */
@ObjectType()
@Entity("incident_evidence")
export class Evidence {
  @Field(() => ID, { description: "the upload id answered by POST /evidence" })
  @PrimaryColumn({ type: "varchar", length: 36 })
  id: string;
  /** The report it is attached to; null until attachEvidence. */
  @Column({ type: "integer", nullable: true }) reportId: number | null;
  @Field({ description: "the stored file's type, judged by its content: image/jpeg, image/png, image/webp, application/pdf, video/mp4, video/quicktime, video/webm" })
  @Column({ type: "varchar", length: 100 })
  contentType: string;
  @Field(() => Int, { description: "bytes of the stored file" }) @Column({ type: "integer" }) size: number;
  @Field({ description: "SHA-256 (hex) of the stored file, computed by the hub at receipt; a download re-checks it" })
  @Column({ type: "varchar", length: 64 })
  sha256: string;
  @Field(() => String, { nullable: true, description: "SHA-256 (hex) of the file as uploaded; differs from sha256 for an image, stored re-encoded without its metadata" })
  @Column({ type: "varchar", length: 64 })
  originalSha256: string;
  @Field(() => Int, { description: "bytes of the file as uploaded" }) @Column({ type: "integer" }) originalSize: number;
  @Field({ description: "true for PDFs and videos, stored as uploaded: they may carry their author's metadata (names, places, devices)" })
  @Column({ type: "boolean" })
  mayCarryMetadata: boolean;
  @Field({ description: "ISO date-time (UTC) the hub received it" }) @Column({ type: "varchar", length: 24 }) uploadedAt: string;
  /** The uploading organization; exposed through the guarded `uploadedBy`. */
  @Column({ type: "integer" }) uploadedByOrgId: number;
  /** The uploading token's subject, for the operator's log. */
  @Column({ type: "varchar", length: 200 }) uploadedBySub: string;
  @Field(() => String, { nullable: true, description: "ISO date-time (UTC) it was attached to the report" })
  @Column({ type: "varchar", length: 24, nullable: true })
  attachedAt: string | null;
}

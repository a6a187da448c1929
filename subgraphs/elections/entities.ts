import { Directive, Field, ID, Int, ObjectType, registerEnumType } from "type-graphql";
import { Column, Entity, PrimaryGeneratedColumn } from "typeorm";
import { ElectionPhase } from "./calendar";

export enum ElectionOffice {
  GOVERNOR = "GOVERNOR", // gubernur dan wakil gubernur (province)
  REGENT = "REGENT", // bupati dan wakil bupati (kabupaten)
  MAYOR = "MAYOR", // wali kota dan wakil wali kota (kota)
}
registerEnumType(ElectionOffice, { name: "ElectionOffice" });
registerEnumType(ElectionPhase, { name: "ElectionPhase" });

/** A regional election (Pilkada) as KPU set it up: office, region and calendar. */
@ObjectType()
@Directive('@key(fields: "id")')
@Entity("elections")
export class Election {
  @Field(() => ID) @PrimaryGeneratedColumn() id: number;
  @Field({ description: '"Pilkada Bupati dan Wakil Bupati Belitung Timur 2024"' })
  @Column({ type: "varchar", length: 200 })
  title: string;
  @Field(() => ElectionOffice) @Column({ type: "varchar", length: 10 }) office: ElectionOffice;
  @Column({ type: "varchar", length: 13 }) regionCode: string;
  @Field({ description: "ISO date, Jakarta calendar" }) @Column({ type: "varchar", length: 10 }) campaignStartsOn: string;
  @Field({ description: "ISO date; the quiet period (masa tenang) follows" }) @Column({ type: "varchar", length: 10 }) campaignEndsOn: string;
  @Field({ description: "ISO date of the vote (hari pemungutan suara)" }) @Column({ type: "varchar", length: 10 }) votingDay: string;
}

/** A candidate pair (pasangan calon, paslon): head and deputy, with the ballot number KPU drew. */
@ObjectType()
@Directive('@key(fields: "id")')
@Entity("candidate_pairs")
export class CandidatePair {
  @Field(() => ID) @PrimaryGeneratedColumn() id: number;
  @Column() electionId: number;
  @Field(() => Int, { description: "nomor urut" }) @Column() ballotNumber: number;
  @Field() @Column({ type: "varchar", length: 120 }) headCandidate: string;
  @Field() @Column({ type: "varchar", length: 120 }) deputyCandidate: string;
}

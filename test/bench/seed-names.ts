import type { Prng } from "./prng";

/*
 * Word lists for fictional names. Organization names combine a form, a theme, a motto word, an invented
 * word built from syllables (so no generated name is a real organization) and a real place name; people
 * carry a made-up middle name ("Fiktif", "Rekaan", ...) as the demo's candidates do.
 */

export const FORMS = ["Perkumpulan", "Yayasan", "Forum", "Ikatan", "Gerakan", "Lembaga", "Himpunan", "Persatuan", "Paguyuban", "Komunitas", "Aliansi", "Barisan", "Laskar", "Solidaritas", "Jaringan", "Serikat"];
export const THEMES = ["Pemuda", "Nelayan", "Petani", "Perempuan", "Mahasiswa", "Buruh", "Pedagang", "Guru", "Seniman", "Warga", "Relawan", "Pemerhati", "Santri", "Pecinta Alam", "Peternak", "Pengrajin", "Ojek", "Karang Taruna", "Pelajar", "Veteran"];
export const MOTTOS = ["Peduli", "Bersatu", "Mandiri", "Sejahtera", "Damai", "Maju", "Cerdas", "Harmoni", "Madani", "Berdaya", "Bangkit", "Lestari", "Jaya", "Amanah", "Gotong Royong", "Rukun"];
const SYLLABLES = ["ka", "ri", "ma", "lu", "ta", "so", "ne", "pa", "ra", "wi", "da", "gu", "sa", "ti", "bo", "ye", "ha", "ku", "le", "mo"];
const FIRST_NAMES = ["Ahmad", "Budi", "Siti", "Rina", "Yusuf", "Dewi", "Hendra", "Maya", "Rudi", "Lina", "Agus", "Fitri", "Joko", "Ratna", "Bambang", "Wulan", "Dedi", "Intan", "Hasan", "Sari"];
const FICTIONAL = ["Fiktif", "Rekaan", "Contoh", "Khayalan", "Samaran", "Andaian", "Karangan"];
const LAST_NAMES = ["Santoso", "Lestari", "Pratama", "Rahayu", "Hidayat", "Putri", "Wijaya", "Anggraini", "Saputra", "Kusuma", "Nugroho", "Siregar", "Harahap", "Simanjuntak", "Tanjung", "Manurung", "Nasution", "Sembiring", "Wibowo", "Hakim"];

/** An invented word of 2 or 3 syllables, capitalized: "Lumarta", "Sone". */
export function inventedWord(prng: Prng): string {
  const count = prng.chance(0.5) ? 2 : 3;
  let word = "";
  for (let i = 0; i < count; i++) word += prng.pick(SYLLABLES);
  return word.charAt(0).toUpperCase() + word.slice(1);
}

export function organizationName(prng: Prng, place: string): string {
  return `${prng.pick(FORMS)} ${prng.pick(THEMES)} ${prng.pick(MOTTOS)} ${inventedWord(prng)} ${place}`;
}

export function acronymOf(name: string): string {
  return name
    .split(" ")
    .map((word) => word.charAt(0).toUpperCase())
    .join("")
    .slice(0, 10);
}

export function personName(prng: Prng): string {
  return `${prng.pick(FIRST_NAMES)} ${prng.pick(FICTIONAL)} ${prng.pick(LAST_NAMES)}`;
}

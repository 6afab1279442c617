import { z } from 'zod';
import { RULE } from '../texts/validation';
import './zod-bokmal';
import { STORABLE_TEXT_MESSAGE, idSchema, isStorableText } from './plan-schema';
import type { Language } from '../texts/language';

/**
 * The roster: regions → municipalities (with their kindergarten authority contact) → kindergartens.
 * CSV rows (one per kindergarten) and the nested JSON form both normalise to `Roster`.
 */

/** Norwegian organisation number: nine digits with a modulus-11 check digit. */
export function isValidOrgnr(value: string): boolean {
  if (!/^\d{9}$/.test(value)) return false;
  const weights = [3, 2, 7, 6, 5, 4, 3, 2];
  const sum = weights.reduce((acc, w, i) => acc + w * Number(value[i]), 0);
  const rest = sum % 11;
  const check = rest === 0 ? 0 : 11 - rest;
  return check !== 10 && check === Number(value[8]);
}

export const orgnrSchema = z
  .string()
  .transform((s) => s.replace(/\s+/g, ''))
  .refine(isValidOrgnr, RULE.orgnr);

const nameSchema = z.string().trim().min(1, RULE.name).max(200).refine(isStorableText, STORABLE_TEXT_MESSAGE);
const emailSchema = z.string().trim().pipe(z.email(RULE.email));

/** A municipality's written standard: nb or nn (also written out, in any case); empty or absent is bokmål. */
const LANGUAGE_WORDS: Record<string, Language> = { nb: 'nb', nn: 'nn', bokmål: 'nb', bokmal: 'nb', nynorsk: 'nn' };
export const languageSchema = z
  .string()
  .transform((s) => s.trim().toLowerCase())
  .refine((s) => s === '' || s in LANGUAGE_WORDS, RULE.language)
  .transform((s): Language | undefined => (s === '' ? undefined : LANGUAGE_WORDS[s]));

/** One CSV row: what a coordinator exports from a spreadsheet. Column names are these keys. */
export const rosterRowSchema = z
  .object({
    region: idSchema,
    group: z.union([idSchema, z.literal('')]).optional(),
    municipality: idSchema,
    municipality_name: nameSchema,
    authority_name: nameSchema,
    authority_email: emailSchema,
    kindergarten: nameSchema,
    orgnr: orgnrSchema,
    director_name: nameSchema,
    director_email: emailSchema,
    participants: z.coerce.number().int(RULE.wholeNumber).min(0).max(1000).optional(),
    /** The municipality's written standard (nynorsk, issue 15); last, so rosters without it keep their columns. */
    language: languageSchema.optional(),
  })
  .strict();
export type RosterRow = z.infer<typeof rosterRowSchema>;
export const rosterColumns = Object.keys(rosterRowSchema.shape) as (keyof RosterRow)[];

const kindergartenJsonSchema = z
  .object({
    name: nameSchema,
    orgnr: orgnrSchema,
    group: idSchema.optional(),
    director: z.object({ name: nameSchema, email: emailSchema }).strict(),
    participants: z.number().int().min(0).max(1000).optional(),
  })
  .strict();

/** The nested JSON form of a roster. */
export const rosterJsonSchema = z
  .object({
    regions: z.array(
      z
        .object({
          id: idSchema,
          municipalities: z.array(
            z
              .object({
                id: idSchema,
                name: nameSchema,
                language: z.enum(['nb', 'nn'], RULE.language).optional(),
                authority: z.object({ name: nameSchema, email: emailSchema }).strict(),
                kindergartens: z.array(kindergartenJsonSchema),
              })
              .strict(),
          ),
        })
        .strict(),
    ),
  })
  .strict();

export interface Municipality {
  id: string;
  name: string;
  regionId: string;
  authority: { name: string; email: string };
  /** The municipality's written standard (nynorsk, issue 15): absent is bokmål. */
  language?: Language;
}

export interface Kindergarten {
  orgnr: string;
  name: string;
  municipalityId: string;
  regionId: string;
  groupId: string;
  director: { name: string; email: string };
  participants: number | null;
}

export interface Roster {
  municipalities: Municipality[];
  kindergartens: Kindergarten[];
}

/** A kindergarten added mid-year by the coordinator (the municipality must already be in the roster). */
export const newKindergartenSchema = z
  .object({
    orgnr: orgnrSchema,
    name: nameSchema,
    municipalityId: idSchema,
    groupId: idSchema.optional(),
    director: z.object({ name: nameSchema, email: emailSchema }).strict(),
    participants: z.number().int().min(0).max(1000).optional(),
  })
  .strict();
export type NewKindergarten = z.infer<typeof newKindergartenSchema>;

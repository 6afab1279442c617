import { z } from 'zod';
import { bokmalZodError } from '../texts/validation';

/**
 * Every zod check in the process speaks bokmål: imported by each schema module (and config/errors.ts), so a plan,
 * roster, environment or request refused anywhere names what was expected in words a coordinator reads.
 */
z.config({ customError: (issue) => bokmalZodError(issue as Parameters<typeof bokmalZodError>[0]) });

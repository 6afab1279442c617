/** ApplicationFailure types shared by workflows, activities and the API (which maps them to HTTP statuses). */
export const ErrorType = {
  NotFound: 'NotFound',
  Conflict: 'Conflict',
  InvalidInput: 'InvalidInput',
  Refused: 'Refused',
} as const;
export type ErrorType = (typeof ErrorType)[keyof typeof ErrorType];

/** The budget and cap a new retro's form offers (its moderator changes them
 * there), and the voting form's when a retro has no defaults of its own. */
export const suggestedVoting: { budget: number; cap?: number } = { budget: 3, cap: 2 };
/** The most votes per person the forms offer. */
export const maxVotesOffered = 50;

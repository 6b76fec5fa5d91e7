// Shapes of the server's answers the app reads (see /v1/openapi.json).
import type { PatchOp } from '../live/patch';

export interface Problem {
  type: string;
  title?: string;
  status?: number;
  detail?: string;
  code?: string;
  errors?: { field: string; message: string }[];
}

export interface Result {
  id?: string;
  streamVersion: number;
  position: number;
  duplicate?: boolean;
}

export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

export interface Me {
  userId: string;
  name?: string;
  email?: string;
  kind?: string;
  guest?: boolean;
  retroId?: string;
}

export interface MyWorkspace { id: string; name: string; role: string }
export interface MyTeam { id: string; name: string; workspaceId: string; workspaceName: string; role: string }
export interface TeamMember { userId: string; name?: string; email?: string; admin?: boolean; role?: string }

export interface TeamTemplate { id: string; name: string; description: string; healthPack: string; retroTemplate: string }
export interface CatalogColumn { id: string; title: string; prompt: string }
export interface RetroTemplate {
  id: string;
  name: string;
  description: string;
  tags?: string[] | null;
  columns?: CatalogColumn[] | null;
  healthPack?: string;
  agenda?: Step[] | null;
  steps?: Step[] | null;
}

export interface TeamView {
  id: string;
  name: string;
  isAdmin?: boolean;
  isMember?: boolean;
  memberCount?: number;
  content?: { members?: { userId: string; admin: boolean }[] | null } | null;
}

export interface HistoryEntry {
  retroId: string;
  title?: string;
  createdAt: string;
  closedAt?: string | null;
  cards?: number;
  actions?: number;
  anonymous?: boolean;
  participants?: number;
  rotiAverage?: number | null;
  rotiRatings?: number;
  rotiScale?: string;
}

export type StepKind =
  | 'lobby' | 'icebreaker' | 'action-review' | 'health-check' | 'collect'
  | 'group' | 'vote' | 'discuss' | 'roti' | 'closed' | 'whiteboard';

export interface Step { id: string; kind: StepKind; title?: string; topic?: string; skipped?: boolean }

export interface CardView {
  id: string;
  columnId: string;
  text?: string;
  concealed: boolean;
  mine?: boolean;
  author?: string;
  groupId?: string;
  /** Hidden by the moderator: text only for its author. */
  hidden?: boolean;
  votes: number;
}
export interface ColumnView { id: string; title: string; prompt?: string; revealed: boolean; cards: CardView[] | null }
export interface GroupView { id: string; name?: string; cardIds: string[] | null; votes: number }
export interface TopicView { id: string; kind: 'card' | 'group'; title: string; votes: number; hidden?: boolean }
export interface VotingView {
  roundId: string;
  open: boolean;
  budget: number;
  cap?: number;
  yourVotes: Record<string, number> | null;
  yourRemaining: number;
  cast: number;
  remaining: number;
}
export interface ActionView { id: string; title: string; topicId?: string; assignee?: string; due?: string | null; status: string }
/** Fewer answers than the server's minimum group come withheld: count only. */
export interface Aggregate { count: number; withheld?: boolean; average?: number | null; distribution?: Record<string, number> | null; enps?: number | null }
/** scale: '1-5', or '0-10' for a retro created before the classic scale. */
export interface RotiView { scale?: '1-5' | '0-10' | string; closed: boolean; ratings: number; participants: number; yourScore?: number | null; result?: Aggregate | null }
export interface AnswerView { id: string; text: string; author?: string; mine?: boolean }

export interface CarriedAction {
  id: string;
  title: string;
  assignee?: string;
  originRetroId?: string;
  outcome?: string;
  comments: AnswerView[] | null;
}
export interface HealthQuestion {
  id: string;
  dimension: string;
  text: string;
  scale: '1-5' | '0-10' | string;
  low: string;
  high: string;
  respondents: number;
  yourScore?: number | null;
  result?: Aggregate | null;
}
export interface Icebreaker { id: string; text: string; tags?: string[] | null }
export interface HealthPack { id: string; name: string; description?: string }

/** The lobby's poll: counts only from the minimum group on, and your own pick. */
export interface CheckInView {
  id: string;
  question: string;
  options: { id: string; label: string; count?: number }[] | null;
  open: boolean;
  respondents: number;
  withheld?: boolean;
  yours?: string;
}

export interface RetroView {
  retroId: string;
  teamId: string;
  title: string;
  moderator: string;
  you: { userId: string; participant: boolean; moderator: boolean; role?: string };
  anonymous: boolean;
  locked: boolean;
  closed: boolean;
  agenda: Step[] | null;
  currentStep: string;
  timer?: { stepId: string; deadline: string } | null;
  participants: { userId: string; role: string }[] | null;
  icebreaker?: { questionId?: string; text: string; answers: AnswerView[] | null } | null;
  checkIn?: CheckInView | null;
  actionReview: CarriedAction[] | null;
  health?: { revealed: boolean; questions: HealthQuestion[] | null } | null;
  columns: ColumnView[] | null;
  groups: GroupView[] | null;
  voting?: VotingView | null;
  /** The budget and cap chosen when the retro was made: a round opened with no budget takes them. */
  votingDefaults?: { budget: number; cap?: number } | null;
  topics: TopicView[] | null;
  focus?: string;
  actions: ActionView[] | null;
  roti: RotiView;
  whiteboards?: { whiteboardId: string; topicId: string; actionId?: string }[] | null;
}

export interface Invite { code: string; retroId: string; teamId: string; expiresAt: string }

/** A message of the live feed (WebSocket frame or SSE data line). */
export type LiveMessage =
  | { type: 'snapshot'; position: number; view: RetroView }
  | { type: 'change'; position: number; events?: { type: string; data: unknown }[] | null; view?: RetroView | null; patch?: PatchOp[] | null }
  | { type: 'presence'; here?: string[] | null; typing?: string[] | null; typingCount?: number; done?: string[] | null }
  | { type: 'resume'; after: number }
  | { type: 'revoked'; code?: string; detail?: string };

/** A survey as the reader may see it (GET /v1/surveys/{id}). */
export interface SurveyQuestion { id: string; text: string; scale: '1-5' | '0-10' | string; low?: string; high?: string }
export interface SurveyOpenQuestion { id: string; text: string }
export interface SurveyQuestionResult {
  question: SurveyQuestion;
  count: number;
  /** Fewer than the minimum group answered: the count only. */
  withheld?: boolean;
  average?: number | null;
  enps?: number | null;
}
export interface SurveyView {
  id: string;
  title: string;
  teamIds: string[] | null;
  healthQuestions: SurveyQuestion[] | null;
  openQuestions: SurveyOpenQuestion[] | null;
  opensAt: string;
  closesAt: string;
  closed: boolean;
  responseCount: number;
  canClose: boolean;
  own?: { ratings?: Record<string, number> | null; openAnswers?: Record<string, string> | null } | null;
  results?: {
    respondents: number;
    questions: SurveyQuestionResult[] | null;
    openAnswers: { questionId: string; text: string; author?: string }[] | null;
    openAnswersWithheld?: boolean;
  } | null;
}

/** The retro as the reader may see it after an event (GET /v1/retros/{id}/at). */
export interface RetroAt { retroId: string; position: number; recordedAt: string; view: RetroView; positions?: number[] | null }

// Dashboards (issue 13): the read models' shapes (projections/healthtrends, dashboard).
export interface CatalogQuestion { id: string; dimension: string; text: string; scale: string }
export interface CatalogPack { id: string; name: string; questions: CatalogQuestion[] | null }
export interface Dimension { id: string; name: string }
export interface TrendPoint {
  at: string;
  source: string;
  sourceId: string;
  suppressed?: boolean;
  respondents?: number;
  value?: number;
}
export interface TrendSeries { id: string; title?: string; scale?: string; points: TrendPoint[] | null; change?: number; trend: string }
export interface TeamTrends { teamId: string; questions: TrendSeries[] | null; packs: TrendSeries[] | null; enps: TrendSeries }
export interface HeatCell {
  teamId: string;
  dimension: string;
  at?: string;
  suppressed?: boolean;
  value?: number;
  change?: number;
  respondents?: number;
}
export interface HeatMap { workspaceId: string; minRespondents: number; teams: string[] | null; dimensions: string[] | null; cells: HeatCell[][] | null }
export interface DashboardMonth {
  month: string;
  retros: number;
  teams: number;
  participants: number;
  participationRate?: number;
  rotiAverage?: number;
  rotiRatings: number;
  healthAverage?: number;
}
export interface WorkspaceDashboard { workspaceId: string; months: DashboardMonth[] | null }
export interface WorkspaceTeam { id: string; name: string }

package api

import (
	"net/http"
	"time"

	"github.com/hindsight-retro/hindsight/app"
	"github.com/hindsight-retro/hindsight/app/identity"
	"github.com/hindsight-retro/hindsight/domain/retro"
)

// Request bodies of the retro's commands. The acting user, the time and the
// IDs of created things come from the server, never from these.
type (
	// InviteRequest creates a guest invite; expiresAt absent means in 7 days.
	InviteRequest struct {
		ExpiresAt *time.Time `json:"expiresAt,omitempty"`
	}
	// InviteResponse is the code a guest joins with (POST /v1/invites/{code}/join).
	InviteResponse struct {
		Code      string    `json:"code"`
		RetroID   string    `json:"retroId"`
		TeamID    string    `json:"teamId"`
		ExpiresAt time.Time `json:"expiresAt"`
	}
	// AnonymityRequest turns anonymity on or off before cards are written.
	AnonymityRequest struct {
		Anonymous bool `json:"anonymous"`
	}
	// StepOrderRequest reorders the agenda: every step ID once.
	StepOrderRequest struct {
		Order []string `json:"order"`
	}
	// AddStepRequest adds a step after the step "after" (absent: at the end).
	AddStepRequest struct {
		Step  retro.Step `json:"step"`
		After string     `json:"after,omitempty"`
	}
	// TimerRequest starts or extends the timer by a number of seconds.
	TimerRequest struct {
		Seconds int `json:"seconds"`
	}
	// IcebreakerRequest picks a catalogue icebreaker; absent draws one at random.
	IcebreakerRequest struct {
		IcebreakerID string `json:"icebreakerId,omitempty"`
	}
	// ReviewRequest records the outcome of reviewing a carried action.
	ReviewRequest struct {
		Outcome string `json:"outcome"`
	}
	// HealthCheckRequest starts the health check with a catalogue pack;
	// absent means the pack the retro's template suggests, else the team's.
	HealthCheckRequest struct {
		PackID string `json:"packId,omitempty"`
	}
	// HealthAnswerRequest scores one health question.
	// CheckInRequest picks an option of the lobby's check-in.
	CheckInRequest struct {
		OptionID string `json:"optionId"`
	}
	HealthAnswerRequest struct {
		QuestionID string `json:"questionId"`
		Score      int    `json:"score"`
	}
	// ImportSurveyRequest brings a closed survey into the retro: open
	// answers as cards in columnId (absent: the first column), scores
	// into the health check.
	ImportSurveyRequest struct {
		SurveyID string `json:"surveyId"`
		ColumnID string `json:"columnId,omitempty"`
	}
	// AddCardRequest writes a card in a column.
	AddCardRequest struct {
		ColumnID string `json:"columnId"`
		Text     string `json:"text"`
	}
	// MergeCardRequest drops a card on another card or group (targetId).
	MergeCardRequest struct {
		TargetID string `json:"targetId"`
	}
	// MergeGroupsRequest merges the group of the path into intoGroupId.
	MergeGroupsRequest struct {
		IntoGroupID string `json:"intoGroupId"`
	}
	// StartVotingRequest opens a voting round: budget votes per person, at
	// most cap votes per topic from one voter (0: no cap). With no budget
	// the round takes the retro's voting defaults (budget and cap).
	StartVotingRequest struct {
		Budget int `json:"budget,omitempty"`
		Cap    int `json:"cap,omitempty"`
	}
	// TopicRequest names a topic: a card or a group.
	TopicRequest struct {
		TopicID string `json:"topicId"`
	}
	// TopicVotesRequest sets a topic's votes (the moderator's correction).
	TopicVotesRequest struct {
		Votes int `json:"votes"`
	}
	// WhiteboardRequest opens a whiteboard for a topic or an action.
	WhiteboardRequest struct {
		TopicID  string `json:"topicId,omitempty"`
		ActionID string `json:"actionId,omitempty"`
	}
	// CreateActionRequest creates an action item in the retro.
	CreateActionRequest struct {
		Title    string     `json:"title"`
		TopicID  string     `json:"topicId,omitempty"`
		Assignee string     `json:"assignee,omitempty"`
		Due      *time.Time `json:"due,omitempty"`
	}
	// AssigneeRequest assigns an action (empty: unassigned).
	AssigneeRequest struct {
		Assignee string `json:"assignee"`
	}
	// DueRequest sets an action's due date (null: none).
	DueRequest struct {
		Due *time.Time `json:"due"`
	}
	// RetroActionStatusRequest sets a retro action's status.
	RetroActionStatusRequest struct {
		Status string `json:"status"`
	}
	// ScoreRequest rates the retro (ROTI): 1-5, or 0-10 in a retro created
	// before the classic scale (the retro's roti.scale says which).
	ScoreRequest struct {
		Score int `json:"score"`
	}
)

// defaultInviteTTL is how long an invite lasts when the moderator does not say.
const defaultInviteTTL = 7 * 24 * time.Hour

// retroCommand is a retro command with a body: input fills the app's
// input from the request; the app makes the command.
func retroCommand[In any](method, pattern, op, summary string, input func(c call, in In) app.RetroInput) route {
	return command(method, pattern, op, summary, func(s *server, c call, in In) (app.Result, error) {
		return s.deps.App.RetroCommand(c.r.Context(), c.caller(), c.param("retroId"), input(c, in))
	})
}

// retroAction is a retro command without a body.
func retroAction(method, pattern, op, summary string, input func(c call) app.RetroInput) route {
	return action(method, pattern, op, summary, func(s *server, c call) (app.Result, error) {
		return s.deps.App.RetroCommand(c.r.Context(), c.caller(), c.param("retroId"), input(c))
	})
}

func seconds(n int) time.Duration { return time.Duration(n) * time.Second }

func retroRoutes() []route {
	const base = "/v1/retros/{retroId}"
	lifecycle := tagged("retros",
		query(base, "getRetro", "The retro as you may see it (concealed cards, anonymous authors and open votes hidden)",
			func(s *server, c call) (retro.RetroView, error) {
				return s.deps.App.Retro(c.r.Context(), c.p, c.param("retroId"))
			}),
		query(base+"/names", "getRetroNames", "Display names of the people your view of the retro names, by user ID (participants' for guests)",
			func(s *server, c call) (map[string]string, error) {
				return s.deps.App.RetroNames(c.r.Context(), c.p, c.param("retroId"))
			}),
		exchange(base+"/invites", "createInvite", "Create a guest invite code (moderator)", true,
			func(s *server, c call, in InviteRequest) (InviteResponse, error) {
				expires := time.Now().Add(defaultInviteTTL)
				if in.ExpiresAt != nil {
					expires = *in.ExpiresAt
				}
				inv, err := s.deps.App.CreateInvite(c.r.Context(), c.caller(), c.param("retroId"), expires)
				return inviteResponse(inv), err
			}).created(),
		action(http.MethodPost, base+"/join", "joinRetro", "Join the retro as a participant (members, and guests invited to it)",
			func(s *server, c call) (app.Result, error) {
				return s.deps.App.JoinRetro(c.r.Context(), c.caller(), c.param("retroId"))
			}),
		retroAction(http.MethodPost, base+"/lock", "lockRetro", "Lock the retro: no newcomers (moderator)",
			func(call) app.RetroInput { return app.LockRetro{} }),
		retroAction(http.MethodPost, base+"/unlock", "unlockRetro", "Unlock the retro (moderator)",
			func(call) app.RetroInput { return app.UnlockRetro{} }),
		retroCommand(http.MethodPost, base+"/moderator", "handOverModeration", "Hand moderation to another participant (moderator)",
			func(_ call, in UserRequest) app.RetroInput {
				return app.HandOverModeration{To: in.UserID}
			}),
		retroCommand(http.MethodPost, base+"/anonymity", "setAnonymity", "Turn anonymity on or off before cards are written (moderator)",
			func(_ call, in AnonymityRequest) app.RetroInput {
				return app.SetAnonymity{Anonymous: in.Anonymous}
			}),
		retroAction(http.MethodPost, base+"/close", "closeRetro", "Close the retro; its actions go to the team (moderator)",
			func(call) app.RetroInput { return app.CloseRetro{} }),
	)
	steps := tagged("retro steps",
		retroAction(http.MethodPost, base+"/steps/{stepId}/go", "goToStep", "Move the retro to a step (moderator)",
			func(c call) app.RetroInput {
				return app.GoToStep{StepID: c.param("stepId")}
			}),
		retroAction(http.MethodPost, base+"/steps/{stepId}/skip", "skipStep", "Skip a step (moderator)",
			func(c call) app.RetroInput {
				return app.SkipStep{StepID: c.param("stepId")}
			}),
		retroCommand(http.MethodPost, base+"/steps/order", "reorderSteps", "Reorder the agenda (moderator)",
			func(_ call, in StepOrderRequest) app.RetroInput {
				return app.ReorderSteps{Order: in.Order}
			}),
		retroCommand(http.MethodPost, base+"/steps", "addStep", "Add a step to the agenda (moderator)",
			func(_ call, in AddStepRequest) app.RetroInput {
				return app.AddStep{Step: in.Step, After: in.After}
			}),
		retroCommand(http.MethodPost, base+"/timer", "startTimer", "Start the timer (moderator)",
			func(_ call, in TimerRequest) app.RetroInput {
				return app.StartTimer{Duration: seconds(in.Seconds)}
			}),
		retroCommand(http.MethodPost, base+"/timer/extend", "extendTimer", "Extend the running timer (moderator)",
			func(_ call, in TimerRequest) app.RetroInput {
				return app.ExtendTimer{By: seconds(in.Seconds)}
			}),
		retroAction(http.MethodDelete, base+"/timer", "stopTimer", "Stop the timer (moderator)",
			func(call) app.RetroInput { return app.StopTimer{} }),
	)
	warmup := tagged("retro warm-up and review",
		retroCommand(http.MethodPost, base+"/icebreaker", "chooseIcebreaker", "Choose the icebreaker question (moderator)",
			func(_ call, in IcebreakerRequest) app.RetroInput {
				return app.ChooseIcebreaker{IcebreakerID: in.IcebreakerID}
			}),
		retroCommand(http.MethodPost, base+"/icebreaker/answers", "answerIcebreaker", "Answer the icebreaker",
			func(_ call, in TextRequest) app.RetroInput {
				return app.AnswerIcebreaker{Text: in.Text}
			}).created(),
		retroCommand(http.MethodPost, base+"/review/{actionId}", "reviewAction", "Record the outcome of reviewing a carried action",
			func(c call, in ReviewRequest) app.RetroInput {
				return app.ReviewAction{ActionID: c.param("actionId"), Outcome: retro.Outcome(in.Outcome)}
			}),
		retroCommand(http.MethodPost, base+"/review/{actionId}/comments", "commentOnCarriedAction", "Comment on a carried action",
			func(c call, in TextRequest) app.RetroInput {
				return app.CommentOnAction{ActionID: c.param("actionId"), Text: in.Text}
			}).created(),
		retroCommand(http.MethodPost, base+"/health", "startHealthCheck", "Start the health check (moderator)",
			func(_ call, in HealthCheckRequest) app.RetroInput {
				return app.StartHealthCheck{PackID: in.PackID}
			}),
		retroCommand(http.MethodPost, base+"/check-in", "answerCheckIn",
			"Pick an answer of the lobby's check-in poll (anonymous; again to change it, until the retro leaves the lobby)",
			func(_ call, in CheckInRequest) app.RetroInput { return app.AnswerCheckIn{OptionID: in.OptionID} }),
		retroCommand(http.MethodPost, base+"/health/answers", "answerHealthCheck", "Score a health question",
			func(_ call, in HealthAnswerRequest) app.RetroInput {
				return app.AnswerHealthCheck{QuestionID: in.QuestionID, Score: in.Score}
			}),
		retroAction(http.MethodPost, base+"/health/reveal", "revealHealthCheck", "Reveal the health check's results (moderator)",
			func(call) app.RetroInput { return app.RevealHealthCheck{} }),
		retroCommand(http.MethodPost, base+"/import-survey", "importSurvey", "Bring a closed survey's answers and scores into the retro (moderator)",
			func(_ call, in ImportSurveyRequest) app.RetroInput {
				return app.ImportSurvey{SurveyID: in.SurveyID, ColumnID: in.ColumnID}
			}),
	)
	board := tagged("retro board",
		retroCommand(http.MethodPost, base+"/cards", "addCard", "Write a card (concealed from others until its column is revealed)",
			func(_ call, in AddCardRequest) app.RetroInput {
				return app.AddCard{ColumnID: in.ColumnID, Text: in.Text}
			}).created(),
		retroCommand(http.MethodPatch, base+"/cards/{cardId}", "editCard", "Edit your card",
			func(c call, in TextRequest) app.RetroInput {
				return app.EditCard{CardID: c.param("cardId"), Text: in.Text}
			}),
		retroAction(http.MethodDelete, base+"/cards/{cardId}", "deleteCard", "Delete your card",
			func(c call) app.RetroInput {
				return app.DeleteCard{CardID: c.param("cardId")}
			}),
		retroAction(http.MethodPost, base+"/cards/{cardId}/hide", "hideCard", "Hide a card from everyone but its author; it stays in the log, shown as hidden (moderator)",
			func(c call) app.RetroInput {
				return app.HideCard{CardID: c.param("cardId")}
			}),
		retroAction(http.MethodPost, base+"/columns/{columnId}/reveal", "revealColumn", "Reveal a column's cards to everyone (moderator)",
			func(c call) app.RetroInput {
				return app.RevealColumn{ColumnID: c.param("columnId")}
			}),
		retroCommand(http.MethodPost, base+"/cards/{cardId}/merge", "mergeCard", "Group a card with another card or group",
			func(c call, in MergeCardRequest) app.RetroInput {
				return app.MergeCard{CardID: c.param("cardId"), TargetID: in.TargetID}
			}),
		retroAction(http.MethodPost, base+"/cards/{cardId}/move-out", "moveCardOut", "Take a card out of its group",
			func(c call) app.RetroInput {
				return app.MoveCardOut{CardID: c.param("cardId")}
			}),
		retroCommand(http.MethodPatch, base+"/groups/{groupId}", "nameGroup", "Name a group",
			func(c call, in NameRequest) app.RetroInput {
				return app.NameGroup{GroupID: c.param("groupId"), Name: in.Name}
			}),
		retroCommand(http.MethodPost, base+"/groups/{groupId}/merge", "mergeGroups", "Merge a group into another",
			func(c call, in MergeGroupsRequest) app.RetroInput {
				return app.MergeGroups{GroupID: c.param("groupId"), IntoGroupID: in.IntoGroupID}
			}),
	)
	voting := tagged("retro voting and discussion",
		retroCommand(http.MethodPost, base+"/voting", "startVoting", "Open a voting round with a budget and a cap (moderator)",
			func(_ call, in StartVotingRequest) app.RetroInput {
				return app.StartVoting{Budget: in.Budget, Cap: in.Cap}
			}).created(),
		retroAction(http.MethodPost, base+"/voting/close", "closeVoting", "Close the voting round and publish totals (moderator)",
			func(call) app.RetroInput { return app.CloseVoting{} }),
		retroCommand(http.MethodPost, base+"/votes", "castVote", "Vote for a topic (hidden from others until voting closes)",
			func(_ call, in TopicRequest) app.RetroInput {
				return app.CastVote{TopicID: in.TopicID}
			}),
		retroAction(http.MethodDelete, base+"/votes/{topicId}", "retractVote", "Take back one of your votes for a topic",
			func(c call) app.RetroInput {
				return app.RetractVote{TopicID: c.param("topicId")}
			}),
		retroCommand(http.MethodPost, base+"/topics/{topicId}/votes", "setTopicVotes", "Correct a topic's vote total (moderator)",
			func(c call, in TopicVotesRequest) app.RetroInput {
				return app.SetTopicVotes{TopicID: c.param("topicId"), Votes: in.Votes}
			}),
		retroAction(http.MethodPost, base+"/topics/{topicId}/focus", "focusTopic", "Discuss a topic now (moderator)",
			func(c call) app.RetroInput {
				return app.FocusTopic{TopicID: c.param("topicId")}
			}),
		retroCommand(http.MethodPost, base+"/whiteboards", "openTopicWhiteboard", "Open a whiteboard for a topic or an action",
			func(_ call, in WhiteboardRequest) app.RetroInput {
				return app.OpenTopicWhiteboard{TopicID: in.TopicID, ActionID: in.ActionID}
			}).created(),
	)
	actions := tagged("retro actions and ROTI",
		retroCommand(http.MethodPost, base+"/actions", "createRetroAction", "Create an action item",
			func(_ call, in CreateActionRequest) app.RetroInput {
				return app.CreateAction{Title: in.Title, TopicID: in.TopicID, Assignee: in.Assignee, Due: in.Due}
			}).created(),
		retroCommand(http.MethodPost, base+"/actions/{actionId}/assignee", "assignRetroAction", "Assign an action item",
			func(c call, in AssigneeRequest) app.RetroInput {
				return app.AssignAction{ActionID: c.param("actionId"), Assignee: in.Assignee}
			}),
		retroCommand(http.MethodPost, base+"/actions/{actionId}/due", "setRetroActionDue", "Set or clear an action item's due date",
			func(c call, in DueRequest) app.RetroInput {
				return app.SetActionDueDate{ActionID: c.param("actionId"), Due: in.Due}
			}),
		retroCommand(http.MethodPost, base+"/actions/{actionId}/status", "setRetroActionStatus", "Set an action item's status",
			func(c call, in RetroActionStatusRequest) app.RetroInput {
				return app.SetActionStatus{ActionID: c.param("actionId"), Status: retro.ActionStatus(in.Status)}
			}),
		retroCommand(http.MethodPost, base+"/roti", "rateRoti", "Rate the retro's return on time invested: 1 to 5 (0 to 10 in a retro whose roti.scale is 0-10)",
			func(_ call, in ScoreRequest) app.RetroInput {
				return app.RateRoti{Score: in.Score}
			}),
		retroAction(http.MethodPost, base+"/roti/close", "closeRoti", "Close the ROTI and show its results (moderator)",
			func(call) app.RetroInput { return app.CloseRoti{} }),
	)
	var out []route
	for _, g := range [][]route{lifecycle, steps, warmup, board, voting, actions} {
		out = append(out, g...)
	}
	return out
}

func inviteResponse(inv identity.Invite) InviteResponse {
	return InviteResponse{Code: inv.Code, RetroID: inv.RetroID, TeamID: inv.TeamID, ExpiresAt: inv.ExpiresAt.UTC()}
}

package retro

// Events lists one value of every retro event type, once: what tests hold
// every switch over the events to (the codec, the read models' filter, the
// export), and what a new event type must be added to.
func Events() []Event {
	return []Event{
		RetroCreated{}, ParticipantJoined{}, RetroLocked{}, RetroUnlocked{}, ModerationHandedOver{},
		AnonymitySet{}, RetroClosed{}, StepChanged{}, StepSkipped{}, StepsReordered{}, StepAdded{},
		TimerStarted{}, TimerExtended{}, TimerStopped{}, IcebreakerChosen{}, IcebreakerAnswered{},
		OpenActionsAdded{}, CarriedActionReviewed{}, CarriedActionCommented{}, HealthCheckStarted{},
		HealthCheckAnswered{}, HealthCheckRevealed{}, SurveyCardsImported{}, SurveyScoresImported{},
		CardAdded{}, CardEdited{}, CardDeleted{}, ColumnRevealed{}, CardHidden{}, GroupCreated{},
		CardGrouped{}, CardUngrouped{}, GroupDissolved{}, GroupsMerged{}, GroupNamed{}, VotingStarted{},
		VoteCast{}, VoteRetracted{}, VotingClosed{}, TopicVotesSet{}, TopicFocused{}, ActionCreated{},
		ActionAssigned{}, ActionDueDateSet{}, ActionStatusSet{}, TopicWhiteboardOpened{}, RotiRated{},
		RotiClosed{}, CheckInAnswered{},
	}
}

// Commands lists one value of every retro command type, once: what tests
// hold every switch over the commands to (Decide, the guards, which records
// are anonymous), and what a new command type must be added to.
func Commands() []Command {
	return []Command{
		CreateRetro{}, JoinRetro{}, LockRetro{}, UnlockRetro{}, HandOverModeration{}, SetAnonymity{},
		CloseRetro{}, GoToStep{}, SkipStep{}, ReorderSteps{}, AddStep{}, StartTimer{}, ExtendTimer{},
		StopTimer{}, ChooseIcebreaker{}, AnswerIcebreaker{}, AddOpenActions{}, ReviewAction{},
		CommentOnAction{}, StartHealthCheck{}, AnswerHealthCheck{}, RevealHealthCheck{}, ImportSurvey{},
		AddCard{}, EditCard{}, DeleteCard{}, RevealColumn{}, HideCard{}, MergeCard{}, MoveCardOut{},
		MergeGroups{}, NameGroup{}, StartVoting{}, CastVote{}, RetractVote{}, CloseVoting{},
		SetTopicVotes{}, FocusTopic{}, CreateAction{}, AssignAction{}, SetActionDueDate{},
		SetActionStatus{}, OpenTopicWhiteboard{}, RateRoti{}, CloseRoti{}, AnswerCheckIn{},
	}
}

package workspace

import "github.com/hindsight-retro/hindsight/domain"

func decideCreate(s State, c CreateWorkspace) ([]Event, error) {
	if s.Exists() {
		return nil, domain.Errorf(domain.Conflict, CodeAlreadyExists, "workspace %q already exists", s.ID)
	}
	if c.WorkspaceID == "" {
		return nil, domain.Errorf(domain.Invalid, CodeIDRequired, "a workspace ID is required")
	}
	if c.Actor.UserID == "" {
		return nil, domain.Errorf(domain.Invalid, CodeActorRequired, "the acting user is missing")
	}
	name, err := cleanName(c.Name)
	if err != nil {
		return nil, err
	}
	return []Event{WorkspaceCreated{WorkspaceID: c.WorkspaceID, Name: name, CreatedBy: c.Actor.UserID, At: c.At}}, nil
}

func decideRename(s State, c RenameWorkspace) ([]Event, error) {
	if err := requireAdmin(s, c.Actor); err != nil {
		return nil, err
	}
	name, err := cleanName(c.Name)
	if err != nil {
		return nil, err
	}
	if name == s.Name {
		return nil, domain.Errorf(domain.Conflict, CodeNameUnchanged, "the workspace is already called %q", name)
	}
	return []Event{WorkspaceRenamed{Name: name, RenamedBy: c.Actor.UserID, At: c.At}}, nil
}

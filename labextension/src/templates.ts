/** The file "New state machine" creates: valid, small, and touching the common state types. */
export const NEW_STATE_MACHINE = `# A Step Functions state machine (Amazon States Language, as YAML).
# The graph beside this editor redraws as you type; click a state to jump to it.
Comment: Greet someone, politely or not.
StartAt: Prepare
States:
  Prepare:
    Type: Pass
    Result:
      name: World
    ResultPath: $.who
    Next: Polite?
  Polite?:
    Type: Choice
    Choices:
      - Variable: $.polite
        BooleanEquals: true
        Next: Greet politely
    Default: Greet
  Greet politely:
    Type: Pass
    Parameters:
      greeting.$: States.Format('Good day, {}.', $.who.name)
    End: true
  Greet:
    Type: Pass
    Parameters:
      greeting.$: States.Format('Hi {}!', $.who.name)
    End: true
`;

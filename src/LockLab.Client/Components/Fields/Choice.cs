namespace LockLab.Client.Components.Fields;

/// <summary>One line of a <see cref="ChoiceField"/>: the value it stands for (as text) and what it says.</summary>
public readonly record struct Choice(string Value, string Text);

"""The viewer's panels, one module each; every panel draws into its own dockable imgui window."""

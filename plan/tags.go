package plan

// Tags are upstream's tags of one variant of a release tagged tag, as New
// gives them; mirror and export name lists of images no recipe builds with
// them too.
func Tags(tag, variant string) []string { return tags(tag, variant) }

package main

// nearest returns the candidate closest to word by edit distance, for
// "did you mean" hints; ties go to the earlier candidate. None is near
// when even the closest needs more than a third of word's letters
// changed (two for short words): ISTIO_MAB_REALSIZE is no typo of VERSION.
func nearest(word string, candidates []string) string {
	best, bestDist := "", -1
	for _, c := range candidates {
		if d := editDistance(word, c); bestDist < 0 || d < bestDist {
			best, bestDist = c, d
		}
	}
	if bestDist > max(2, len(word)/3) {
		return ""
	}
	return best
}

// didYouMean is a hint naming the nearest candidate, shown by show, or
// nothing when none is near.
func didYouMean(word string, candidates []string, show func(string) string) string {
	if n := nearest(word, candidates); n != "" {
		return ": did you mean " + show(n) + "?"
	}
	return ""
}

// editDistance is the Levenshtein distance, one row at a time.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

"""Fit scikit-learn classifiers on the training examples written by contested-contacts.mjs and print
their merge probabilities for the contested contacts (one line per classifier, in the order the
.mjs listed the contacts; "T"/"F": true or false merge)."""
import json
import sys

import numpy as np
from sklearn.ensemble import ExtraTreesClassifier, GradientBoostingClassifier, RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

data = json.load(open(sys.argv[1]))
X = np.array(data["X"])
y = np.array(data["y"])
contacts = np.array([c["x"] for c in data["contested"]]).reshape(-1, X.shape[1])
truth = ["T" if c["trueMerge"] else "F" for c in data["contested"]]
seed = data["seed"]
classifiers = {
    "random forest (300 trees, leaf >= 5)": RandomForestClassifier(300, min_samples_leaf=5, random_state=seed),
    "extra trees (300 trees, leaf >= 5)": ExtraTreesClassifier(300, min_samples_leaf=5, random_state=seed),
    "gradient boosting (defaults)": GradientBoostingClassifier(random_state=seed),
    "logistic regression (standardised)": make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000)),
}
print("scikit-learn on the same examples, p for the contacts above:")
for name, classifier in classifiers.items():
    classifier.fit(X, y)
    p = classifier.predict_proba(contacts)[:, 1] if len(contacts) else []
    print(f"  {name:38s} " + "  ".join(f"{q:.2f}{t}" for q, t in zip(p, truth)))

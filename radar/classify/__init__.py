"""Classification of posts: help-request intent, buyer-persona fit, urgency, score,
temperature and explanation, in German and English. Pure: text in, result out.

Example::

    from radar.classify import Classifier
    clf = Classifier.load("bundled")
    clf.classify("Any recommendations for an accounting tool?", "We are a team of 30.").intent
"""

from radar.classify.classifier import BUNDLED_MODEL, ClassificationResult, Classifier

__all__ = ["BUNDLED_MODEL", "ClassificationResult", "Classifier"]
